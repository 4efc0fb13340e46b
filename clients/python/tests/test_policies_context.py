"""Backpressure policies under a failing gateway (counted in the finish report, visible in what is spooled) and the
reproducibility context a run starts with, read back from the spool as the gateway would get them."""
import json
import os
import subprocess
import time

import pytest

import trackstream
from conftest import py
from trackstream._spool import SpoolFile


def _spooled_events(spool_dir):
    events = []
    for name in sorted(os.listdir(spool_dir)):
        if name.endswith(".spool"):
            spool, _ = SpoolFile.open(os.path.join(spool_dir, name))
            for seq in spool.pending_seqs():
                events.extend(spool.read_batch(seq))
            spool.close()
    return events


def _points(events, key):
    return [p["step"] for e in events if e["type"] == "metrics_logged" for p in e["payload"]["points"] if p["key"] == key]


def _under_pressure(dead_url, spool_dir, **opts):
    """A run whose gateway refuses connections, once the SDK has noticed (its first send failed)."""
    c = trackstream.Client(project="pysdk", url=dead_url, spool_dir=spool_dir, exit_hooks=False, capture_context=False,
                           flush_interval=0.05, retry_base_ms=50, retry_max_ms=100, recover_spools=False, **opts)
    run = c.start_run(experiment="py-policy")
    deadline = time.monotonic() + 30
    while c.stats()["healthy"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not c.stats()["healthy"]
    return c, run


@pytest.mark.parametrize("policy", ["downsample", "drop", "block"])
def test_backpressure_policy_is_applied_and_counted(policy, dead_url, spool_dir):
    c, run = _under_pressure(dead_url, spool_dir, backpressure=policy, downsample_every=10)
    for step in range(100):
        run.log({"loss": float(step)}, step=step)
        run.log({"grad_norm": 1.0}, step=step, debug=True)
    report = run.finish(timeout=0)
    c.close(timeout=0)
    events = _spooled_events(spool_dir)
    bp = report.backpressure
    if policy == "downsample":
        # Every 10th point of each key is kept while the gateway fails.
        assert _points(events, "loss") == list(range(0, 100, 10)) and _points(events, "grad_norm") == list(range(0, 100, 10))
        assert bp["downsampled"] == 180 and bp["downsampled_by_key"] == {"loss": 90, "grad_norm": 90} and bp["dropped"] == 0
    elif policy == "drop":
        # Debug metrics are dropped; the others kept whole.
        assert _points(events, "loss") == list(range(100)) and _points(events, "grad_norm") == []
        assert bp["dropped"] == 100 and bp["dropped_by_key"] == {"grad_norm": 100} and bp["downsampled"] == 0
    else:
        assert _points(events, "loss") == list(range(100)) and _points(events, "grad_norm") == list(range(100))
        assert bp["dropped"] == 0 and bp["downsampled"] == 0
    assert report.complete is False and report.unsent_events > 0 and report.spool_path is not None


CONTEXT_RUN = "import trackstream\nr = trackstream.init(experiment='py-context', name='ctx')\nprint(r.run_id)\n"


def _git(repo, *args):
    r = subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"] + list(args), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_run_started_carries_the_reproducibility_context_minus_secrets(spool_dir, tmp_path):
    # The training script lives in a git repository of its own, on a branch, with an uncommitted change to a tracked
    # file (untracked files do not make a checkout dirty, in either SDK).
    repo = tmp_path / "project"
    (repo / "src").mkdir(parents=True)
    script = repo / "src" / "train.py"
    script.write_text(CONTEXT_RUN)
    _git(repo, "init", "-q", "-b", "exp-branch")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "train")
    script.write_text(CONTEXT_RUN + "# edited\n")
    env = dict(os.environ, TRACKSTREAM_MODE="offline", TRACKSTREAM_SPOOL_DIR=spool_dir, TRACKSTREAM_PROJECT="pysdk",
               MY_SERVICE_TOKEN="tok-should-not-leave", DATABASE_URL="postgres://admin:hunter2@db/x", PLAIN_SETTING="kept")
    r = py(str(script), "--lr", "0.1", "--api-key", "sk-abcdefghijklmnopqrstuvwx", env=env, cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    started = [e for e in _spooled_events(spool_dir) if e["type"] == "run_started"]
    assert len(started) == 1
    p = started[0]["payload"]
    assert p["source"] == {"git_commit": _git(repo, "rev-parse", "HEAD"), "git_branch": "exp-branch", "git_dirty": True,
                           "entry_point": os.path.join("src", "train.py"), "host": p["source"]["host"]}
    assert p["source"]["host"]
    ctx = p["context"]
    assert json.loads(ctx["argv"]) == ["--lr", "0.1", "--api-key", "[REDACTED]"]
    assert ctx["python_version"] and ctx["pkg.trackstream"] and ctx["cwd"] == str(tmp_path)
    assert ctx["env.PLAIN_SETTING"] == "kept" and ctx["env.DATABASE_URL"] == "postgres://[REDACTED]@db/x"
    assert "env.MY_SERVICE_TOKEN" not in ctx
    assert "tok-should-not-leave" not in json.dumps(started) and "hunter2" not in json.dumps(started)
