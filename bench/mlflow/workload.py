"""The bench:mlflow workload, driven through the real MLflow client against one tracking server (MLFLOW_TRACKING_URI).

Phases (--phase), each printing one JSON object as the last line on stdout:
  write   --runs runs over --workers threads: create_run, --batches log_batch calls of --metrics metrics (one step
          each), set_terminated. Synchronous, or MLflow's async logging when MLFLOW_ENABLE_ASYNC_LOGGING=true (then the
          phase ends once flush_async_logging() returns: every point acknowledged by the server).
  batch   --iterations log_batch calls of 1,000 metrics into one run, one at a time.
  seed    --runs runs for search (params, metrics, tags), over --workers threads.
  search  --iterations rounds of a few search_runs shapes over the seeded experiment.
"""
import argparse
import json
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import mlflow
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag


def quantile(xs, q):
    if not xs:
        return None
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * (len(s) - 1) + 0.5))]


def summary(xs):
    return {"n": len(xs), "p50_ms": quantile(xs, 0.5), "p95_ms": quantile(xs, 0.95), "p99_ms": quantile(xs, 0.99)}


class Calls:
    def __init__(self):
        self.lock = threading.Lock()
        self.ms = {}

    def timed(self, name, fn, *a, **kw):
        t = time.perf_counter()
        r = fn(*a, **kw)
        d = (time.perf_counter() - t) * 1000
        with self.lock:
            self.ms.setdefault(name, []).append(d)
        return r

    def report(self):
        every = [x for xs in self.ms.values() for x in xs]
        return {"all": summary(every), **{k: summary(v) for k, v in self.ms.items()}}


def experiment(client, name):
    found = client.get_experiment_by_name(name)
    return found.experiment_id if found else client.create_experiment(name)


def phase_write(client, a):
    exp = experiment(client, a.experiment)
    calls = Calls()
    asynchronous = os.environ.get("MLFLOW_ENABLE_ASYNC_LOGGING", "false").lower() == "true"

    def one_run(i):
        run = calls.timed("create_run", client.create_run, exp, run_name=f"w{i}")
        rid = run.info.run_id
        now = int(time.time() * 1000)
        for b in range(a.batches):
            metrics = [Metric(f"m{k}", random.random(), now + b, b) for k in range(a.metrics)]
            calls.timed("log_batch", client.log_batch, rid, metrics=metrics)
        if not asynchronous:
            calls.timed("set_terminated", client.set_terminated, rid)
        return rid

    t0 = time.perf_counter()
    with ThreadPoolExecutor(a.workers) as pool:
        rids = list(pool.map(one_run, range(a.runs)))
    if asynchronous:
        mlflow.flush_async_logging()
        for rid in rids:
            client.set_terminated(rid)
    seconds = time.perf_counter() - t0
    points = a.runs * a.batches * a.metrics
    # Every run's history is there: the last step of one metric of a sample of runs.
    for rid in rids[:: max(1, len(rids) // 10)]:
        hist = client.get_metric_history(rid, "m0")
        if len(hist) != a.batches:
            raise SystemExit(f"run {rid}: m0 has {len(hist)} points, expected {a.batches}")
    return {"async": asynchronous, "runs": a.runs, "points": points, "seconds": seconds, "runs_per_s": a.runs / seconds,
            "points_per_s": points / seconds, "calls": calls.report()}


def phase_batch(client, a):
    exp = experiment(client, a.experiment)
    rid = client.create_run(exp, run_name="batch-1000").info.run_id
    calls = Calls()
    now = int(time.time() * 1000)
    for i in range(a.iterations):
        metrics = [Metric(f"m{k}", random.random(), now, i) for k in range(1000)]
        calls.timed("log_batch_1000", client.log_batch, rid, metrics=metrics, synchronous=True)
    return {"calls": calls.report()}


def phase_seed(client, a):
    exp = experiment(client, a.experiment)
    calls = Calls()

    def one(i):
        rid = calls.timed("create_run", client.create_run, exp, run_name=f"s{i}").info.run_id
        calls.timed("log_batch", client.log_batch, rid,
                    metrics=[Metric("loss", random.random(), 0, 0), Metric("acc", random.random(), 0, 0)],
                    params=[Param("lr", str(random.choice([0.1, 0.01, 0.001]))), Param("layers", str(i % 8))],
                    tags=[RunTag("team", "ab"[i % 2])], synchronous=True)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(a.workers) as pool:
        list(pool.map(one, range(a.runs)))
    return {"runs": a.runs, "seconds": time.perf_counter() - t0, "calls": calls.report()}


SEARCHES = {
    "metric_filter_order": dict(filter_string="metrics.loss < 0.5", order_by=["metrics.loss ASC"]),
    "param_and_tag": dict(filter_string="params.lr = '0.01' and tags.team = 'a'"),
    "all_by_start_time": dict(filter_string="", order_by=["attributes.start_time DESC"]),
}


def phase_search(client, a):
    exp = experiment(client, a.experiment)
    calls = Calls()
    counts = {}
    for _ in range(a.iterations):
        for name, kw in SEARCHES.items():
            page = calls.timed(name, client.search_runs, [exp], max_results=100, **kw)
            counts[name] = len(page)
    if counts["all_by_start_time"] != min(100, a.runs):
        raise SystemExit(f"search returned {counts['all_by_start_time']} runs, expected {min(100, a.runs)}")
    return {"runs": a.runs, "results_per_page": counts, "calls": calls.report()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--phase", required=True, choices=["write", "batch", "seed", "search"])
    p.add_argument("--experiment", required=True)
    p.add_argument("--runs", type=int, default=100)
    p.add_argument("--batches", type=int, default=5)
    p.add_argument("--metrics", type=int, default=100)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--iterations", type=int, default=20)
    a = p.parse_args()
    client = MlflowClient()
    out = {"phase_write": phase_write, "phase_batch": phase_batch, "phase_seed": phase_seed, "phase_search": phase_search}[f"phase_{a.phase}"](client, a)
    # The last line: MLflow's client prints its own lines ("View run ...") on stdout too.
    sys.stdout.write("\n" + json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
