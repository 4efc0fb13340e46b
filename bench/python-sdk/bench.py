"""Per-call overhead of trackstream's run.log() on the calling thread, and MLflow's log_metrics (local sqlite store
and an `mlflow server`, synchronous and async) and W&B's offline wandb.log side by side (same venv, same loop).
Prints one JSON object. Trackstream runs offline here (the sealer thread still serializes and writes the spool in
the background, so the GIL contention the training thread meets is part of the figure). Also the design the SDK did
not take: a separate process doing the serialization (process_sender.py), measured the same way."""
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import logging

import trackstream

logging.getLogger("trackstream").setLevel(logging.ERROR)
logging.getLogger("alembic").setLevel(logging.ERROR)


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))]


def median_of(repeats, fn, *args):
    """Runs fn repeats times; every figure is the median over the runs (this VM is shared: single runs wander)."""
    runs = [fn(*args) for _ in range(repeats)]
    return dict({k: statistics.median(r[k] for r in runs) for k in runs[0]}, runs=repeats)


def time_calls(log, n_metrics, calls):
    """p50/p99 of one log(metrics, step) call, the same loop for every client."""
    metrics = {"m%d" % i: 0.5 for i in range(n_metrics)}
    times = []
    for step in range(calls):
        t = time.perf_counter_ns()
        log(metrics, step)
        times.append(time.perf_counter_ns() - t)
    return {"p50_us": pct(times, 0.5) / 1000, "p99_us": pct(times, 0.99) / 1000, "calls": calls}


def paced_loop(log, n_metrics=100, rate=100, seconds=5):
    """n_metrics x rate steps/s: percent of a core the training thread spends in log(), and the whole process."""
    metrics = {"m%d" % i: 0.5 for i in range(n_metrics)}
    in_log = 0.0
    p0 = time.process_time()
    start = time.perf_counter()
    for step in range(rate * seconds):
        target = start + step / rate
        while time.perf_counter() < target:
            time.sleep(max(0.0, target - time.perf_counter()))
        t = time.thread_time()
        log(metrics, step)
        in_log += time.thread_time() - t
    elapsed = time.perf_counter() - start
    proc = time.process_time() - p0
    return {"training_thread_pct_of_core": 100 * in_log / elapsed, "process_pct_of_core": 100 * proc / elapsed, "seconds": elapsed}


def _trackstream_run():
    d = tempfile.mkdtemp(prefix="ts-bench-")
    c = trackstream.Client(project="bench", offline=True, spool_dir=d, exit_hooks=False, capture_context=False)
    return c, c.start_run(experiment="bench")


def trackstream_calls(n_metrics, calls):
    c, run = _trackstream_run()
    cpu0 = time.thread_time()
    wall0 = time.perf_counter()
    out = time_calls(lambda m, step: run.log(m, step=step), n_metrics, calls)
    out.update(thread_cpu_s=time.thread_time() - cpu0, wall_s=time.perf_counter() - wall0)
    run.finish(timeout=0)
    c.close(timeout=0)
    return out


def paced_overhead():
    """100 metrics x 100 steps/s through the SDK (its sealer thread in the same process)."""
    c, run = _trackstream_run()
    out = paced_loop(lambda m, step: run.log(m, step=step))
    run.finish(timeout=0)
    c.close(timeout=0)
    return out


def _process_sender_run():
    from process_sender import ProcessSenderRun

    return ProcessSenderRun(os.path.join(tempfile.mkdtemp(prefix="ts-bench-proc-"), "events.jsonl"))


def process_sender_calls(n_metrics, calls):
    run = _process_sender_run()
    out = time_calls(run.log, n_metrics, calls)
    run.drain()
    run.close()
    return out


def process_sender_paced():
    """The same paced loop through the separate-process prototype; its child's CPU counted apart."""
    run = _process_sender_run()
    c0 = run.child_cpu_s()
    out = paced_loop(run.log)
    run.drain()
    out["child_process_pct_of_core"] = 100 * (run.child_cpu_s() - c0) / out["seconds"]
    run.close()
    return out


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class MlflowServer:
    """`mlflow server` (the PyPI package's tracking server) on a sqlite store, one worker, on loopback."""

    def __enter__(self):
        d = tempfile.mkdtemp(prefix="mlflow-server-bench-")
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "mlflow"), "server", "--backend-store-uri", "sqlite:///" + os.path.join(d, "mlflow.db"),
             "--default-artifact-root", os.path.join(d, "artifacts"), "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.url = "http://127.0.0.1:%d" % self.port
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("mlflow server did not come up")
            time.sleep(0.5)

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(30)


def wandb_offline_calls(n_metrics, calls):
    import wandb

    d = tempfile.mkdtemp(prefix="wandb-bench-")
    run = wandb.init(mode="offline", dir=d, project="bench", settings=wandb.Settings(silent=True, console="off", x_disable_stats=True))
    out = time_calls(lambda m, step: run.log(m, step=step), n_metrics, calls)
    run.finish()
    return out


def mlflow_calls(n_metrics, calls, synchronous, tracking_uri=None):
    import mlflow

    d = tempfile.mkdtemp(prefix="mlflow-bench-")
    mlflow.set_tracking_uri(tracking_uri or "sqlite:///" + os.path.join(d, "mlflow.db"))
    with mlflow.start_run():
        out = time_calls(lambda m, step: mlflow.log_metrics(m, step=step, synchronous=synchronous), n_metrics, calls)
        if not synchronous:
            mlflow.flush_async_logging()
    return out


if __name__ == "__main__":
    out = {"python": sys.version.split()[0], "trackstream": {}, "process_sender": {}, "mlflow_sqlite": {}, "mlflow_server": {}, "wandb_offline": {}}
    # Each figure of the two designs is a median of TS_BENCH_REPEATS runs; the other clients, 100x slower or more,
    # run once.
    repeats = int(os.environ.get("TS_BENCH_REPEATS", "5"))
    for n, calls in ((2, 200000), (100, 20000)):
        out["trackstream"]["%d_metrics" % n] = median_of(repeats, trackstream_calls, n, calls)
        out["process_sender"]["%d_metrics" % n] = median_of(repeats, process_sender_calls, n, calls)
    out["trackstream"]["paced_100x100"] = median_of(repeats, paced_overhead)
    out["process_sender"]["paced_100x100"] = median_of(repeats, process_sender_paced)
    for n in (2, 100):
        out["mlflow_sqlite"]["%d_metrics_sync" % n] = mlflow_calls(n, 300, True)
        out["mlflow_sqlite"]["%d_metrics_async" % n] = mlflow_calls(n, 300, False)
    with MlflowServer() as server:
        for n in (2, 100):
            out["mlflow_server"]["%d_metrics_sync" % n] = mlflow_calls(n, 300, True, server.url)
            out["mlflow_server"]["%d_metrics_async" % n] = mlflow_calls(n, 300, False, server.url)
    for n, calls in ((2, 20000), (100, 5000)):
        out["wandb_offline"]["%d_metrics" % n] = wandb_offline_calls(n, calls)
    print(json.dumps(out, indent=2))
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results", "python-sdk.json"), "w") as f:
        json.dump(out, f, indent=2)
