"""Artifacts through MLflow's artifact proxy (`mlflow-artifacts:` URIs): log, list, download, the bytes unchanged."""
import hashlib
import json
import os

import mlflow
import pytest
import requests
from mlflow.exceptions import MlflowException


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def test_log_artifact_then_download_the_same_bytes(client, unique, tmp_path):
    exp = client.create_experiment(unique("art"))
    run = client.create_run(exp)
    payload = os.urandom(300_000)
    _write(str(tmp_path / "weights.bin"), payload)
    client.log_artifact(run.info.run_id, str(tmp_path / "weights.bin"), artifact_path="model")

    assert run.info.artifact_uri.startswith("mlflow-artifacts:/")
    listed = client.list_artifacts(run.info.run_id)
    assert [(f.path, f.is_dir) for f in listed] == [("model", True)]
    inner = client.list_artifacts(run.info.run_id, "model")
    assert [(f.path, f.is_dir, f.file_size) for f in inner] == [("model/weights.bin", False, len(payload))]

    out = client.download_artifacts(run.info.run_id, "model/weights.bin", dst_path=str(tmp_path / "down"))
    with open(out, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == hashlib.sha256(payload).hexdigest()


def test_log_artifacts_directory_and_fluent_helpers(unique, tmp_path):
    mlflow.set_experiment(unique("art-dir"))
    src = tmp_path / "src"
    _write(str(src / "a.txt"), b"alpha")
    _write(str(src / "sub" / "b.txt"), b"beta")
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(src), artifact_path="bundle")
        mlflow.log_dict({"lr": 0.1, "layers": [64, 32]}, "config.json")
        mlflow.log_text("hello from the proxy", "notes/readme.txt")

    run_id = run.info.run_id
    paths = sorted(f.path for f in mlflow.artifacts.list_artifacts(run_id=run_id, artifact_path="bundle"))
    assert paths == ["bundle/a.txt", "bundle/sub"]
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config.json") == {"lr": 0.1, "layers": [64, 32]}
    assert mlflow.artifacts.load_text(f"runs:/{run_id}/notes/readme.txt") == "hello from the proxy"
    whole = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="bundle", dst_path=str(tmp_path / "d"))
    with open(os.path.join(whole, "sub", "b.txt"), "rb") as f:
        assert f.read() == b"beta"


def test_unknown_artifact_and_escaping_path_are_refused(client, unique, tracking_uri, tmp_path):
    exp = client.create_experiment(unique("art-bad"))
    run = client.create_run(exp)
    with pytest.raises(MlflowException):
        client.download_artifacts(run.info.run_id, "missing.txt", dst_path=str(tmp_path))
    base = f"{tracking_uri}/api/2.0/mlflow-artifacts/artifacts/{exp}/{run.info.run_id}/artifacts"
    bad = requests.put(f"{base}/..%2F..%2Fescape.txt", data=b"x", timeout=30)
    assert 400 <= bad.status_code < 500, bad.text
    assert json.loads(bad.text)["error_code"] in ("INVALID_PARAMETER_VALUE", "BAD_REQUEST")
    assert client.list_artifacts(run.info.run_id) == []
