"""Faults while training logs: a 30 s gateway outage, 429s with Retry-After, SIGTERM and SIGKILL. Every check reads
ClickHouse itself: each point stored exactly once, none missing."""
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid

import pytest

import trackstream
from conftest import assert_exactly_once, py

OUTAGE_S = 30.0
STEPS_PER_S = 100


def _control(path):
    req = urllib.request.Request(os.environ["TS_TEST_CONTROL_URL"] + path, data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200


def _log_for(run, seconds, step, keys):
    """Logs paced steps (STEPS_PER_S) for ``seconds``; returns the next step."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        run.log({k: step * 0.5 + i for i, k in enumerate(keys)}, step=step)
        step += 1
        time.sleep(1.0 / STEPS_PER_S)
    return step


@pytest.mark.outage
def test_gateway_down_30s_mid_run_while_logging_continues_loses_nothing(clickhouse, query, spool_dir):
    keys = ["loss", "acc", "lr"]
    c = trackstream.Client(
        project="pysdk", url=os.environ["TS_TEST_FLAKY_GATEWAY_URL"], spool_dir=spool_dir, exit_hooks=False,
        capture_context=False, flush_interval=0.2, retry_base_ms=100, retry_max_ms=1000,
    )
    run = c.start_run(experiment="py-outage", name="outage")
    try:
        step = _log_for(run, 2.0, 0, keys)
        _control("/flaky/stop")
        step = _log_for(run, OUTAGE_S, step, keys)
        during = c.stats()
        _control("/flaky/start")
    finally:
        _control("/flaky/start")
    # While it was down, the loop went on and what could not be sent went to disk.
    assert during["healthy"] is False and during["spooled_events"] > 0, during
    step = _log_for(run, 1.0, step, keys)
    report = run.finish(timeout=90)
    c.close()
    assert report.complete and report.unsent_events == 0 and report.backpressure["downsampled"] == 0, report
    assert_exactly_once(clickhouse.wait_points(run.run_id, step * len(keys)), keys, range(step))
    query.wait_run(run.run_id, lambda r: r["status"] == "FINISHED")
    assert [f for f in os.listdir(spool_dir) if f.endswith(".spool")] == []


def _drain_token_bucket(url, token, events):
    """One batch bigger than the token's bucket, sent while the bucket is full: the gateway lets it pass and leaves
    the bucket in debt, so every request for the next (events - bucket) / rate seconds is answered 429."""
    batch = [
        {"event_id": str(uuid.uuid4()), "type": "metrics_logged", "project": "pysdk", "experiment_id": "exp-bucket", "run_id": "run-bucket-drain",
         "occurred_at": 1, "payload": {"points": [{"key": "x", "value": 1, "step": i, "timestamp": 1}]}}
        for i in range(events)
    ]
    req = urllib.request.Request(url + "/v1/events", data=json.dumps({"events": batch}).encode(), method="POST",
                                 headers={"content-type": "application/json", "authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status in (200, 202), r.status


def test_429_with_retry_after_is_honoured_and_log_never_waits(clickhouse, spool_dir, caplog):
    rate = int(os.environ["TS_TEST_LIMITED_RATE"])
    url, token = os.environ["TS_TEST_LIMITED_GATEWAY_URL"], os.environ["TS_TEST_LIMITED_TOKEN"]
    # Bucket = 2 × rate; 4 × rate events leave it 2 s in debt: the SDK's first requests meet 429 with Retry-After.
    _drain_token_bucket(url, token, 4 * rate)
    # Backoff without Retry-After would come back within 200 ms; the gateway says "1 s" or more.
    c = trackstream.Client(
        project="pysdk", url=url, token=token, spool_dir=spool_dir, exit_hooks=False, capture_context=False,
        flush_points=1000, flush_interval=0.05, retry_base_ms=50, retry_max_ms=200,
    )
    started = time.monotonic()
    run = c.start_run(experiment="py-429", name="limited")
    steps = 3 * rate * 1000  # 3 × rate events of 1,000 points: more rate-limited seconds after the debt is paid
    with caplog.at_level(logging.WARNING, logger="trackstream"):
        for step in range(steps):
            run.log({"loss": float(step)}, step=step)
        # log() returned for every point while the gateway was refusing: nothing waited for delivery.
        after_loop = c.stats()
        assert after_loop["queued_events"] > 0 and after_loop["sent_events"] == 0, after_loop
        report = run.finish(timeout=120)
    elapsed = time.monotonic() - started
    retries = c.stats()["retries"]
    c.close()
    assert report.complete and report.unsent_events == 0, report
    assert any("RATE_LIMITED" in r.getMessage() for r in caplog.records), [r.getMessage() for r in caplog.records]
    # Each retry waited at least the server's Retry-After (>= 1 s): no more retries than seconds spent.
    assert 1 <= retries <= elapsed + 1, (retries, elapsed)
    assert_exactly_once(clickhouse.wait_points(run.run_id, steps), ["loss"], range(steps))


TRAINER = textwrap.dedent(
    """
    import faulthandler, sys, time, trackstream
    faulthandler.enable()
    c = trackstream.Client(project="pysdk", url=sys.argv[1], spool_dir=sys.argv[2], flush_points=int(sys.argv[3]), flush_interval=float(sys.argv[4]))
    run = c.start_run(experiment="py-signals", name="terminated")
    print(run.run_id, flush=True)
    pace = float(sys.argv[5])
    step = 0
    while True:
        run.log({"loss": 1.0 / (step + 1), "acc": step * 1e-6}, step=step)
        if step == 20000:
            print("ready", flush=True)
        if step > 20000 and pace:
            time.sleep(pace)  # after step 20000, this many seconds a step
        step += 1
    """
)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_mid_training_loses_nothing_and_sync_sends_the_rest_once(sig, gateway_url, clickhouse, query, spool_dir, tmp_path):
    """SIGTERM: the SDK's handler spools synchronously, then the process dies of the signal. SIGINT: KeyboardInterrupt
    unwinds the loop and the exit hook sends for a moment and spools what is left. Either way the run ends KILLED."""
    script = tmp_path / "trainer.py"
    script.write_text(TRAINER)
    # The gateway is up: part of the run is sent live (flush_points), the rest is in memory when the signal comes.
    child = subprocess.Popen([sys.executable, str(script), gateway_url, spool_dir, "2000", "60", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        run_id = child.stdout.readline().strip()
        assert child.stdout.readline().strip() == "ready"
        child.send_signal(sig)
        assert child.wait(30) == -sig  # the default action still ran: it died of the signal
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGABRT)  # faulthandler prints where it hangs
            time.sleep(1)
            child.kill()
        child.wait()
    if sig == signal.SIGTERM:
        assert [f for f in os.listdir(spool_dir) if f.endswith(".spool")], "SIGTERM left no spool"
    r = py("-m", "trackstream.cli", "sync", "--url", gateway_url, "--dir", spool_dir)
    assert r.returncode == 0, r.stdout + r.stderr
    query.wait_run(run_id, lambda r: r["status"] == "KILLED")
    copies = clickhouse.wait_run_ended(run_id)
    n = len(copies["loss"])
    assert n > 20000
    # Every step the loop got to before the signal: none missing (steps 0..n-1), none twice.
    assert_exactly_once(copies, ["acc", "loss"], range(n))
    # Nothing is left to send a second time.
    again = py("-m", "trackstream.cli", "sync", "--url", gateway_url, "--dir", spool_dir)
    assert again.returncode == 0 and "0 spool file(s), 0 event(s) sent" in again.stdout, again.stdout + again.stderr


def test_sigkill_mid_training_loses_at_most_the_last_flush_interval(gateway_url, clickhouse, spool_dir, tmp_path):
    """No handler runs on SIGKILL: what was sealed more than a flush interval ago is in Kafka or in the spool; the
    rest of the loop's last moments may be lost, but never a point in the middle and never one twice."""
    script = tmp_path / "trainer.py"
    script.write_text(TRAINER)
    child = subprocess.Popen([sys.executable, str(script), gateway_url, spool_dir, "100000", "0.2", "0.0002"], stdout=subprocess.PIPE, text=True)
    try:
        run_id = child.stdout.readline().strip()
        assert child.stdout.readline().strip() == "ready"
        time.sleep(1.0)  # five flush intervals after step 20000 was logged
    finally:
        child.kill()
        child.wait()
    r = py("-m", "trackstream.cli", "sync", "--url", gateway_url, "--dir", spool_dir)
    assert r.returncode == 0, r.stdout + r.stderr
    # No run_completed marks the end: wait until the stored points stop changing.
    last, copies = None, None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        copies = clickhouse.point_copies(run_id)
        size = sum(len(v) for v in copies.values())
        if size > 2 * 20000 and size == last:
            break
        last = size
        time.sleep(1.0)
    n = len(copies.get("loss", []))
    assert n > 20000, "steps logged a flush interval before the kill are missing: %d stored" % n
    assert_exactly_once(copies, ["acc", "loss"], range(n))
