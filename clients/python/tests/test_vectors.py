"""The vectors both SDKs check (clients/test-vectors; the TypeScript side is packages/sdk/src/test-vectors.unit.test.ts),
and a spool the TypeScript SDK wrote, sent by ``trackstream-py sync``."""
import json
import os
import shutil
import textwrap

import pytest

from conftest import REPO, VECTORS, assert_exactly_once, py, vectors
from trackstream._backoff import parse_retry_after
from trackstream._secrets import filter_env, is_secret_name, redact_argv, redact_params, scrub_value
from trackstream._spool import SpoolFile, dumps, verify_line
from trackstream._wire import metrics_envelope_prefix, serialize_metrics

WIRE = vectors("wire.json")
SECRETS = vectors("secrets.json")
SPOOL = vectors(os.path.join("spool", "expected.json"))


def _num(v):
    return float(v) if isinstance(v, str) else v


@pytest.mark.parametrize("m", WIRE["metrics"])
def test_metrics_serialize_to_the_vector_event(m):
    e = m["envelope"]
    prefix = metrics_envelope_prefix(e["event_id"], e["project"], e["experiment_id"], e["run_id"], e["occurred_at"])
    text = serialize_metrics(prefix, [(k, _num(v), s, t) for k, v, s, t in m["points"]])
    assert json.loads(text) == m["event"]


@pytest.mark.parametrize("case", WIRE["retry_after"], ids=lambda c: repr(c["header"]))
def test_retry_after(case):
    assert parse_retry_after(case["header"], now_ms=case["now_ms"]) == case["ms"]


def test_secrets():
    assert [n for n in SECRETS["secret_names"] if not is_secret_name(n)] == []
    assert [n for n in SECRETS["not_secret_names"] if is_secret_name(n)] == []
    for given, want in SECRETS["scrub_value"]:
        assert scrub_value(given) == want
    assert filter_env(SECRETS["filter_env"]["input"]) == SECRETS["filter_env"]["output"]
    for given, want in SECRETS["redact_argv"]:
        assert redact_argv(given) == want
    for given, want in SECRETS["redact_params"]:
        assert redact_params(given) == want


@pytest.mark.parametrize("name", SPOOL["files"])
def test_reads_either_sdks_spool_file(name, tmp_path):
    path = str(tmp_path / name)
    shutil.copy(os.path.join(VECTORS, "spool", name), path)  # open() cuts the torn tail off: work on a copy
    spool, scan = SpoolFile.open(path)
    try:
        assert scan["header"]["url"] == SPOOL["read"]["url"]
        assert (scan["corrupt"], scan["torn_tail_bytes"]) == (SPOOL["read"]["corrupt"], SPOOL["read"]["torn_tail_bytes"])
        assert [{"seq": s, "events": spool.read_batch(s)} for s in spool.pending_seqs()] == SPOOL["read"]["pending"]
    finally:
        spool.close()


def test_writes_the_vector_records(tmp_path):
    spool = SpoolFile.create(str(tmp_path), SPOOL["read"]["url"])
    for kind, arg in SPOOL["writes"]:
        if kind == "batch":
            spool.append_batch_text([dumps(e) for e in arg])
        else:
            spool.append_ack(arg)
    spool.close()
    with open(spool.path, "rb") as f:
        records = [json.loads(verify_line(line)) for line in f.read().split(b"\n")[:-1]]
    header = {k: v for k, v in records[0].items() if k not in ("host", "pid", "created")}
    assert [header] + records[1:] == SPOOL["records"]


TS_WRITER = textwrap.dedent(
    """
    const { Trackstream } = require(process.argv[2]);
    (async () => {
      const ts = new Trackstream({ project: 'pysdk', offline: true, spoolDir: process.argv[3], captureContext: false });
      const run = await ts.startRun({ experiment: 'ts-offline', name: 'from-ts' });
      for (let step = 0; step < 2000; step++) run.log({ loss: 1 / (step + 1), acc: step / 2000 }, { step });
      await run.finish();
      await ts.close();
      console.log(run.runId);
    })().catch((e) => { console.error(e); process.exit(1); });
    """
)


def test_trackstream_py_sync_sends_a_spool_the_typescript_sdk_wrote(gateway_url, clickhouse, query, spool_dir, tmp_path):
    import subprocess

    script = tmp_path / "writer.js"
    script.write_text(TS_WRITER)
    sdk = os.path.join(REPO, "packages", "sdk", "dist", "index.js")
    w = subprocess.run([os.environ.get("TS_TEST_NODE", "node"), str(script), sdk, spool_dir], capture_output=True, text=True, timeout=60)
    assert w.returncode == 0, w.stdout + w.stderr
    run_id = w.stdout.strip().splitlines()[-1]
    assert [f for f in os.listdir(spool_dir) if f.endswith(".spool")], "the TypeScript SDK wrote no spool"
    r = py("-m", "trackstream.cli", "sync", "--url", gateway_url, "--dir", spool_dir, "--any-url")
    assert r.returncode == 0, r.stdout + r.stderr
    query.wait_run(run_id, lambda run: run["status"] == "FINISHED" and run["run_name"] == "from-ts")
    assert_exactly_once(clickhouse.wait_run_ended(run_id), ["acc", "loss"], range(2000))
    assert [f for f in os.listdir(spool_dir) if f.endswith(".spool")] == []
