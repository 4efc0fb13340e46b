"""Per-call overhead of trackstream's run.log() on the calling thread, and MLflow's log_metrics side by side (same
venv, same loop). Prints one JSON object. Trackstream runs offline here (the sealer thread still serializes and
writes the spool in the background, so the GIL contention the training thread meets is part of the figure)."""
import json
import os
import sys
import tempfile
import time

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


def mlflow_calls(n_metrics, calls, synchronous):
    import mlflow

    d = tempfile.mkdtemp(prefix="mlflow-bench-")
    mlflow.set_tracking_uri("sqlite:///" + os.path.join(d, "mlflow.db"))
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
    out = {"python": sys.version.split()[0], "trackstream": {}, "mlflow_sqlite": {}}
    for n, calls in ((2, 200000), (100, 20000)):
        out["trackstream"]["%d_metrics" % n] = trackstream_calls(n, calls)
    out["trackstream"]["paced_100x100"] = paced_overhead()
    for n in (2, 100):
        out["mlflow_sqlite"]["%d_metrics_sync" % n] = mlflow_calls(n, 300, True)
        out["mlflow_sqlite"]["%d_metrics_async" % n] = mlflow_calls(n, 300, False)
    print(json.dumps(out, indent=2))
