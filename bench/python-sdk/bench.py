"""Per-call overhead of trackstream's run.log() on the calling thread, and MLflow's log_metrics (local sqlite store
and an `mlflow server`, synchronous and async) and W&B's offline wandb.log side by side (same venv, same loop).
Prints one JSON object. Trackstream runs offline here (the sealer thread still serializes and writes the spool in
the background, so the GIL contention the training thread meets is part of the figure). Also the design the SDK did
not take: a separate process doing the serialization (process_sender.py), measured the same way."""
import json
import os
import socket
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


def trackstream_calls(n_metrics, calls):
    d = tempfile.mkdtemp(prefix="ts-bench-")
    c = trackstream.Client(project="bench", offline=True, spool_dir=d, exit_hooks=False, capture_context=False)
    run = c.start_run(experiment="bench")
    metrics = {"m%d" % i: 0.5 for i in range(n_metrics)}
    times = []
    cpu0 = time.thread_time()
    wall0 = time.perf_counter()
    for step in range(calls):
        t = time.perf_counter_ns()
        run.log(metrics, step=step)
        times.append(time.perf_counter_ns() - t)
    thread_cpu = time.thread_time() - cpu0
    wall = time.perf_counter() - wall0
    run.finish(timeout=0)
    c.close(timeout=0)
    return {"p50_us": pct(times, 0.5) / 1000, "p99_us": pct(times, 0.99) / 1000, "calls": calls, "thread_cpu_s": thread_cpu, "wall_s": wall}


def paced_overhead(n_metrics=100, rate=100, seconds=5):
    """100 metrics x 100 steps/s: CPU of the training thread spent in log(), and of the whole process, per second."""
    d = tempfile.mkdtemp(prefix="ts-bench-")
    c = trackstream.Client(project="bench", offline=True, spool_dir=d, exit_hooks=False, capture_context=False)
    run = c.start_run(experiment="bench")
    metrics = {"m%d" % i: 0.5 for i in range(n_metrics)}
    in_log = 0.0
    p0 = time.process_time()
    start = time.perf_counter()
    for step in range(rate * seconds):
        target = start + step / rate
        while time.perf_counter() < target:
            time.sleep(max(0.0, target - time.perf_counter()))
        t = time.thread_time()
        run.log(metrics, step=step)
        in_log += time.thread_time() - t
    elapsed = time.perf_counter() - start
    proc = time.process_time() - p0
    run.finish(timeout=0)
    c.close(timeout=0)
    return {"training_thread_pct_of_core": 100 * in_log / elapsed, "process_pct_of_core": 100 * proc / elapsed, "seconds": elapsed}


def process_sender_calls(n_metrics, calls):
    from process_sender import ProcessSenderRun

    run = ProcessSenderRun(os.path.join(tempfile.mkdtemp(prefix="ts-bench-proc-"), "events.jsonl"))
    metrics = {"m%d" % i: 0.5 for i in range(n_metrics)}
    times = []
    for step in range(calls):
        t = time.perf_counter_ns()
        run.log(metrics, step=step)
        times.append(time.perf_counter_ns() - t)
    run.drain()
    run.close()
    return {"p50_us": pct(times, 0.5) / 1000, "p99_us": pct(times, 0.99) / 1000, "calls": calls}


def process_sender_paced(n_metrics=100, rate=100, seconds=5):
    from process_sender import ProcessSenderRun

    run = ProcessSenderRun(os.path.join(tempfile.mkdtemp(prefix="ts-bench-proc-"), "events.jsonl"))
    metrics = {"m%d" % i: 0.5 for i in range(n_metrics)}
    in_log = 0.0
    p0 = time.process_time()
    c0 = run.child_cpu_s()
    start = time.perf_counter()
    for step in range(rate * seconds):
        target = start + step / rate
        while time.perf_counter() < target:
            time.sleep(max(0.0, target - time.perf_counter()))
        t = time.thread_time()
        run.log(metrics, step=step)
        in_log += time.thread_time() - t
    elapsed = time.perf_counter() - start
    proc = time.process_time() - p0
    run.drain()
    child = run.child_cpu_s() - c0
    run.close()
    return {
        "training_thread_pct_of_core": 100 * in_log / elapsed,
        "process_pct_of_core": 100 * proc / elapsed,
        "child_process_pct_of_core": 100 * child / elapsed,
        "seconds": elapsed,
    }


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
    metrics = {"m%d" % i: 0.5 for i in range(n_metrics)}
    times = []
    for step in range(calls):
        t = time.perf_counter_ns()
        run.log(metrics, step=step)
        times.append(time.perf_counter_ns() - t)
    run.finish()
    return {"p50_us": pct(times, 0.5) / 1000, "p99_us": pct(times, 0.99) / 1000, "calls": calls}


def mlflow_calls(n_metrics, calls, synchronous, tracking_uri=None):
    import mlflow

    d = tempfile.mkdtemp(prefix="mlflow-bench-")
    mlflow.set_tracking_uri(tracking_uri or "sqlite:///" + os.path.join(d, "mlflow.db"))
    metrics = {"m%d" % i: 0.5 for i in range(n_metrics)}
    times = []
    with mlflow.start_run():
        for step in range(calls):
            t = time.perf_counter_ns()
            mlflow.log_metrics(metrics, step=step, synchronous=synchronous)
            times.append(time.perf_counter_ns() - t)
        if not synchronous:
            mlflow.flush_async_logging()
    return {"p50_us": pct(times, 0.5) / 1000, "p99_us": pct(times, 0.99) / 1000, "calls": calls}


if __name__ == "__main__":
    out = {"python": sys.version.split()[0], "trackstream": {}, "process_sender": {}, "mlflow_sqlite": {}, "mlflow_server": {}, "wandb_offline": {}}
    for n, calls in ((2, 200000), (100, 20000)):
        out["trackstream"]["%d_metrics" % n] = trackstream_calls(n, calls)
        out["process_sender"]["%d_metrics" % n] = process_sender_calls(n, calls)
    out["trackstream"]["paced_100x100"] = paced_overhead()
    out["process_sender"]["paced_100x100"] = process_sender_paced()
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
