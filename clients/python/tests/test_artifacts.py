"""log_artifact against the real artifact store (test/python/stack.ts: local blob store, Kafka, Postgres read model)."""
import hashlib
import json
import urllib.request

import pytest

import trackstream
from trackstream import _artifacts
from conftest import _env


@pytest.fixture
def artifact_url():
    return _env("TS_TEST_ARTIFACT_URL")


def _get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


def _listing(base, run_id, path=None):
    q = "" if path is None else "?path=" + path
    return json.loads(_get("%s/v1/runs/%s/artifacts%s" % (base, run_id, q)).decode("utf-8"))


def _bytes(n, seed):
    return bytes((i * 31 + seed) % 251 for i in range(n))


def _client(gateway_url, artifact_url, spool_dir, **kw):
    return trackstream.Client(
        project="pysdk", url=gateway_url, artifact_url=artifact_url, spool_dir=spool_dir, exit_hooks=False,
        capture_context=False, flush_interval=0.1, retry_base_ms=20, retry_max_ms=500, **kw
    )


def test_file_directory_and_multipart_uploads_download_back_identical(gateway_url, artifact_url, spool_dir, tmp_path):
    # Multipart above 100 kB, in 40 kB parts, so the big file below goes up in 7 parts.
    c = _client(gateway_url, artifact_url, spool_dir, multipart_threshold=100_000, multipart_part_size=40_000)
    run = c.start_run(experiment="py-artifacts", name="upload")
    model = tmp_path / "model.bin"
    model.write_bytes(_bytes(5_000, 1))
    big = tmp_path / "big.bin"
    big.write_bytes(_bytes(250_001, 7))
    d = tmp_path / "outputs"
    (d / "plots").mkdir(parents=True)
    (d / "metrics.json").write_text('{"acc": 0.9}')
    (d / "plots" / "loss.csv").write_text("step,loss\n0,1.0\n")

    assert run.log_artifact(str(model), "models/model.bin") == ["models/model.bin"]
    assert run.log_artifact(big) == ["big.bin"]
    assert run.log_artifact(str(d), "outputs") == ["outputs/metrics.json", "outputs/plots/loss.csv"]
    report = run.finish(timeout=30)
    c.close()
    assert report.artifacts == {"uploaded": 4, "pending": 0, "failed": 0, "errors": []}, report.artifacts
    assert report.complete

    base = artifact_url
    for local, path in [(model, "models/model.bin"), (big, "big.bin"), (d / "metrics.json", "outputs/metrics.json"), (d / "plots" / "loss.csv", "outputs/plots/loss.csv")]:
        assert _get("%s/v1/runs/%s/artifacts/%s" % (base, run.run_id, path)) == local.read_bytes(), path
    root = _listing(base, run.run_id)["files"]
    assert [(f["path"], f["is_dir"]) for f in root] == [("big.bin", False), ("models", True), ("outputs", True)]
    big_entry = root[0]
    assert big_entry["file_size"] == 250_001 and big_entry["sha256"] == hashlib.sha256(big.read_bytes()).hexdigest()
    outputs = _listing(base, run.run_id, "outputs")["files"]
    assert [(f["path"], f["is_dir"]) for f in outputs] == [("outputs/metrics.json", False), ("outputs/plots", True)]
    assert outputs[0]["media_type"].startswith("application/json")


def test_multipart_resumes_after_a_lost_answer_without_resending_received_parts(gateway_url, artifact_url, spool_dir, tmp_path, monkeypatch):
    sent = []
    real = _artifacts.ArtifactUploader._request
    lost = {"done": False}

    def request(self, method, path, body, length, headers):
        sent.append((method, path))
        out = real(self, method, path, body, length, headers)
        if method == "PUT" and path.endswith("/parts/3") and not lost["done"]:
            # The store got part 3 but its answer is lost, as when a connection drops: the uploader must ask
            # which parts it has and send only the rest.
            lost["done"] = True
            self._close_conn()
            raise _artifacts._Retry("connection reset (injected)")
        return out

    monkeypatch.setattr(_artifacts.ArtifactUploader, "_request", request)
    c = _client(gateway_url, artifact_url, spool_dir, multipart_threshold=50_000, multipart_part_size=20_000)
    run = c.start_run(experiment="py-artifacts", name="resume")
    f = tmp_path / "data.bin"
    f.write_bytes(_bytes(100_000, 3))  # 5 parts
    run.log_artifact(f)
    report = run.finish(timeout=30)
    c.close()
    assert report.artifacts["uploaded"] == 1, report.artifacts
    puts = [p.rsplit("/", 1)[-1] for m, p in sent if m == "PUT"]
    assert puts == ["1", "2", "3", "4", "5"], sent  # 3 was received the first time: not sent again
    assert [m for m, p in sent if p.endswith("/parts")] == ["GET"], sent  # the resume asked once what the store has
    assert _get("%s/v1/runs/%s/artifacts/data.bin" % (artifact_url, run.run_id)) == f.read_bytes()


def test_bad_input_raises_at_the_call_and_queues_nothing(gateway_url, artifact_url, spool_dir, tmp_path, query):
    c = _client(gateway_url, artifact_url, spool_dir)
    run = c.start_run(experiment="py-artifacts", name="bad")
    f = tmp_path / "ok.txt"
    f.write_text("x")
    with pytest.raises(trackstream.InvalidArgumentError, match="no such file or directory: .*missing.bin") as e:
        run.log_artifact(tmp_path / "missing.bin")
    assert e.value.argument == "local_path"
    for bad, what in [("../escape.txt", "'..' segments"), ("a/../../b", "'..' segments"), ("/etc/passwd", "relative"), ("a//b", "empty segments"), ("a\\b", "backslash")]:
        with pytest.raises(trackstream.InvalidArgumentError, match="artifact_path: .*" + what.replace(".", r"\.")):
            run.log_artifact(f, bad)
    (tmp_path / "empty").mkdir()
    with pytest.raises(trackstream.InvalidArgumentError, match="holds no files"):
        run.log_artifact(tmp_path / "empty")
    report = run.finish(timeout=10)
    c.close()
    assert report.artifacts == {"uploaded": 0, "pending": 0, "failed": 0, "errors": []}
    query.wait_run(run.run_id, lambda r: r["status"] == "FINISHED")  # the store knows the run now: and it has nothing
    assert _listing(artifact_url, run.run_id)["files"] == []


def test_unreachable_store_is_a_counted_failure_and_offline_refuses_clearly(gateway_url, spool_dir, dead_url, tmp_path):
    f = tmp_path / "w.bin"
    f.write_bytes(b"weights")
    c = _client(gateway_url, dead_url, spool_dir, artifact_max_attempts=3)
    run = c.start_run(experiment="py-artifacts", name="unreachable")
    run.log_artifact(f)
    report = run.finish(timeout=20)
    c.close()
    assert (report.artifacts["uploaded"], report.artifacts["pending"], report.artifacts["failed"]) == (0, 0, 1)
    assert "gave up after 3 attempts" in report.artifacts["errors"][0]
    assert not report.complete

    # Still retrying at the deadline: finish() returns anyway and says the upload is pending.
    c = _client(gateway_url, dead_url, spool_dir, artifact_max_attempts=1000)
    run = c.start_run(experiment="py-artifacts", name="slow")
    run.log_artifact(f)
    report = run.finish(timeout=0.5)
    assert (report.artifacts["uploaded"], report.artifacts["pending"], report.artifacts["failed"]) == (0, 1, 0)
    assert not report.complete
    c.close(timeout=0.1)

    off = trackstream.Client(project="pysdk", offline=True, spool_dir=spool_dir, exit_hooks=False, capture_context=False)
    r = off.start_run(experiment="py-artifacts", name="offline")
    with pytest.raises(trackstream.OfflineArtifactError, match="offline"):
        r.log_artifact(f)
    r.finish(timeout=5)
    off.close()
