"""Fixtures for the Python SDK's tests. The services come from the jest wrapper (test/python/pytest.e2e.test.ts),
which starts them and passes their addresses; tests that need them fail (never skip) when those are missing."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
VECTORS = os.path.join(REPO, "clients", "test-vectors")


def _env(name):
    v = os.environ.get(name)
    if not v:
        raise RuntimeError("%s is not set: run this suite through `npx jest test/python` (it starts the stack)" % name)
    return v


@pytest.fixture
def gateway_url():
    return _env("TS_TEST_GATEWAY_URL")


@pytest.fixture
def query():
    return QueryApi(_env("TS_TEST_QUERY_URL"))


@pytest.fixture
def spool_dir(tmp_path):
    d = tmp_path / "spool"
    d.mkdir()
    return str(d)


@pytest.fixture
def dead_url():
    """A URL where nothing listens (connection refused): the gateway is down."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return "http://127.0.0.1:%d" % port


def vectors(name):
    with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
        return json.load(f)


class QueryApi:
    def __init__(self, url):
        self.url = url

    def get(self, path):
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as r:
                return r.status, json.loads(r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read().decode("utf-8") or "null")

    def run(self, run_id):
        status, body = self.get("/v1/runs/" + run_id)
        return body["run"] if status == 200 else None

    def wait_run(self, run_id, done, timeout=60.0):
        """Polls the run until done(run) holds; returns the run (fails with what was last seen)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.run(run_id)
            if last is not None and done(last):
                return last
            time.sleep(0.25)
        raise AssertionError("run %s did not reach the expected state in %ss; last seen: %s" % (run_id, timeout, json.dumps(last)[:2000]))

    def wait_counts(self, run_id, counts, timeout=60.0):
        """Waits until every metric key has the given point count (and the run is complete)."""
        return self.wait_run(
            run_id, lambda r: all((r.get("metrics") or {}).get(k, {}).get("count") == n for k, n in counts.items()), timeout
        )

    def wait_history(self, run_id, key, n, timeout=60.0):
        """The metric's history once it holds at least n points (or the last one seen, at the timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            h = self.history(run_id, key)
            if len(h["points"]) >= n or time.monotonic() > deadline:
                return h
            time.sleep(0.25)

    def history(self, run_id, key, max_points=10000):
        status, body = self.get("/v1/runs/%s/metrics/%s?max_points=%d" % (run_id, key, max_points))
        assert status == 200, body
        return body


def ts_cli(*args, env=None):
    """The workspace's `trackstream` command (services/cli, TypeScript)."""
    return subprocess.run([os.environ.get("TS_TEST_NODE", "node"), _env("TS_TEST_CLI")] + list(args), capture_output=True, text=True, timeout=120, env=env)


def py(*args, env=None, **kw):
    return subprocess.run([sys.executable] + list(args), capture_output=True, text=True, timeout=120, env=env, **kw)
