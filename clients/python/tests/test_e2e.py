"""The SDK against the real gateway, Kafka, projectors and query API."""
import json
import os
import signal
import subprocess
import sys
import textwrap

import trackstream
from conftest import assert_exactly_once, py, ts_cli


def test_100k_points_visible_in_the_query_api_in_order_exactly_once(gateway_url, query, spool_dir):
    c = trackstream.Client(project="pysdk", url=gateway_url, spool_dir=spool_dir, exit_hooks=False)
    run = c.start_run(experiment="py-100k", name="big", params={"lr": 0.01, "api_key": "hunter2"})
    keys = ["k%d" % i for i in range(10)]
    for step in range(10000):
        run.log({k: step + i / 10 for i, k in enumerate(keys)}, step=step)
    report = run.finish(timeout=60)
    assert report.complete and report.unsent_events == 0 and report.rejected_events == 0
    c.close()
    got = query.wait_run(run.run_id, lambda r: r["status"] == "FINISHED" and all(r["metrics"].get(k, {}).get("count") == 10000 for k in keys), 90)
    assert got["params"] == {"lr": "0.01", "api_key": "[REDACTED]"}
    for i, k in enumerate(keys):
        # The run summary and the point history come from different projections: wait for the history too.
        h = query.wait_history(run.run_id, k, 10000)
        assert h["downsampled"] is False
        assert [p["step"] for p in h["points"]] == list(range(10000))
        assert h["points"][123]["value"] == 123 + i / 10


CHILD = textwrap.dedent(
    """
    import sys, time, trackstream
    c = trackstream.Client(project="pysdk", url=sys.argv[1], spool_dir=sys.argv[2], flush_interval=0.1, retry_base_ms=50, retry_max_ms=200)
    run = c.start_run(experiment="py-crash", name="doomed")
    for step in range(5000):
        run.log({"loss": float(step)}, step=step)
    while True:
        s = c.stats()
        if s["queued_events"] > 0 and s["buffered_points"] == 0 and s["spooled_events"] == s["queued_events"]:
            print(run.run_id, flush=True)
            break
        time.sleep(0.02)
    time.sleep(600)
    """
)


def test_sigkill_leaves_a_spool_that_trackstream_sync_sends_exactly_once(gateway_url, dead_url, query, clickhouse, spool_dir, tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    # The gateway is unreachable for the child, so its events go to disk; then it is killed without warning.
    child = subprocess.Popen([sys.executable, str(script), dead_url, spool_dir], stdout=subprocess.PIPE, text=True)
    try:
        run_id = child.stdout.readline().strip()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert run_id.startswith("run-")
    assert [f for f in os.listdir(spool_dir) if f.endswith(".spool")], "the killed process left no spool"
    # The TypeScript CLI reads the Python SDK's spool and sends it (the file names another gateway: --any-url).
    r = ts_cli("sync", "--url", gateway_url, "--dir", spool_dir, "--any-url")
    assert r.returncode == 0, r.stdout + r.stderr
    got = query.wait_counts(run_id, {"loss": 5000})
    assert got["run_name"] == "doomed"
    assert_exactly_once(clickhouse.wait_points(run_id, 5000), ["loss"], range(5000))
    assert [f for f in os.listdir(spool_dir) if f.endswith(".spool")] == []
    # Sent exactly once: a second sync (either SDK's) finds nothing left.
    again = ts_cli("sync", "--url", gateway_url, "--dir", spool_dir, "--any-url")
    assert again.returncode == 0 and "0 spool file(s), 0 event(s) sent" in again.stdout, again.stdout + again.stderr


def test_offline_spool_is_sent_by_the_next_online_start(gateway_url, query, spool_dir):
    env = dict(os.environ, TRACKSTREAM_MODE="offline", TRACKSTREAM_SPOOL_DIR=spool_dir, TRACKSTREAM_PROJECT="pysdk")
    code = "import trackstream\nr = trackstream.init(experiment='py-offline', name='off')\nfor s in range(300): r.log({'acc': s / 300}, step=s)\nprint(r.run_id)\n"
    r = py("-c", code, env=env)
    assert r.returncode == 0, r.stderr
    run_id = r.stdout.strip()
    c = trackstream.Client(project="pysdk", url=gateway_url, spool_dir=spool_dir, exit_hooks=False)
    rep = c.wait_for_recovery(60)
    c.close()
    assert rep["sent_events"] > 0 and rep["left_files"] == []
    # The run ended at interpreter exit (atexit): FINISHED, with every point.
    query.wait_run(run_id, lambda r: r["status"] == "FINISHED" and r["metrics"].get("acc", {}).get("count") == 300)


def test_forked_worker_logging_nothing_does_not_duplicate_the_parent_buffer(gateway_url, query, spool_dir):
    # A long flush interval: the points sit in the parent's buffer when it forks.
    c = trackstream.Client(project="pysdk", url=gateway_url, spool_dir=spool_dir, exit_hooks=True, flush_interval=60.0)
    run = c.start_run(experiment="py-fork", name="parent")
    for step in range(1000):
        run.log({"loss": float(step)}, step=step)
    pids = []
    for normal_exit in (True, False):
        pid = os.fork()
        if pid == 0:
            # A data-loader worker: logs nothing, exits normally (atexit runs) or the multiprocessing way.
            # (Inside pytest a SystemExit would be caught by pytest itself: run the exit handlers as exit would.)
            if normal_exit:
                import atexit

                atexit._run_exitfuncs()
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0
    for step in range(1000, 1500):
        run.log({"loss": float(step)}, step=step)
    report = run.finish(timeout=60)
    c.close()
    assert report.complete
    query.wait_run(run.run_id, lambda r: r["status"] == "FINISHED" and r["metrics"].get("loss", {}).get("count") == 1500)
    assert [p["step"] for p in query.wait_history(run.run_id, "loss", 1500)["points"]] == list(range(1500))
    assert [f for f in os.listdir(spool_dir) if f.endswith(".spool")] == []
