"""Fixtures for the Python SDK's tests. The services come from the jest wrapper (test/python/pytest.e2e.test.ts),
which starts them and passes their addresses; tests that need them fail (never skip) when those are missing."""
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
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


@pytest.fixture
def clickhouse():
    return ClickHouse(_env("TS_TEST_CLICKHOUSE_URL"), _env("TS_TEST_CLICKHOUSE_DATABASE"))


class ClickHouse:
    """The projection's store itself (not the query API, which may downsample): what a run's points are."""

    def __init__(self, url, database):
        self.url = url.split("?")[0].rstrip("/").rsplit("/", 1)[0] + "/"
        self.database = database

    def query(self, sql):
        qs = urllib.parse.urlencode({"database": self.database, "default_format": "JSONCompact"})
        req = urllib.request.Request(self.url + "?" + qs, data=sql.encode("utf-8"))
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return json.loads(r.read().decode("utf-8"))["data"]
        except urllib.error.HTTPError as e:
            raise AssertionError("ClickHouse refused %r: %s" % (sql, e.read().decode("utf-8", "replace")[:500])) from None

    @staticmethod
    def literal(run_id):
        # The stack's ClickHouse predates query parameters; a run id is [A-Za-z0-9_.:-] (checked), so it quotes safely.
        assert re.match(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$", run_id), run_id
        return "'%s'" % run_id

    def point_copies(self, run_id):
        """{key: [(step, copies), ...] in step order}: copies counts distinct stored points (event id, index) per step;
        FINAL merges only the log's own redeliveries of one event, so a point the SDK sent twice counts twice."""
        rows = self.query(
            "SELECT key, step, count() FROM metric_points FINAL WHERE run_id = %s GROUP BY key, step ORDER BY key, step" % self.literal(run_id)
        )
        out = {}
        for key, step, n in rows:
            out.setdefault(key, []).append((int(step), int(n)))
        return out

    def wait_run_ended(self, run_id, timeout=90.0):
        """Waits until the run's run_completed event is stored and its whole projector batch applied (the checkpoint
        written after the batch's inserts has passed it); then every earlier event of the run (one partition) is in."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.query(
                "SELECT partition, offset FROM events FINAL WHERE run_id = %s AND type = 'run_completed'" % self.literal(run_id)
            )
            if rows:
                part, offset = int(rows[0][0]), int(rows[0][1])
                done = self.query("SELECT max(next_offset) FROM checkpoints WHERE partition = %d" % part)
                if done and done[0][0] is not None and int(done[0][0]) > offset:
                    return self.point_copies(run_id)
            time.sleep(0.3)
        raise AssertionError("run %s: no applied run_completed in ClickHouse after %ss" % (run_id, timeout))

    def wait_points(self, run_id, total, timeout=90.0):
        """Waits until the run has at least ``total`` distinct (key, step) points stored; returns point_copies."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.point_copies(run_id)
            if sum(len(v) for v in got.values()) >= total or time.monotonic() > deadline:
                return got
            time.sleep(0.3)


def assert_exactly_once(copies, keys, steps):
    """Every key has exactly the given steps, each stored once."""
    assert sorted(copies) == sorted(keys), "keys stored: %s" % sorted(copies)
    for k in keys:
        got = copies[k]
        dup = [(s, n) for s, n in got if n != 1]
        assert dup == [], "key %s: steps stored more than once (step, copies): %s" % (k, dup[:20])
        have = [s for s, _ in got]
        if have != list(steps):
            missing = sorted(set(steps) - set(have))
            extra = sorted(set(have) - set(steps))
            raise AssertionError("key %s: %d steps stored, %d expected; missing %s; unexpected %s" % (k, len(have), len(steps), missing[:20], extra[:20]))


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
