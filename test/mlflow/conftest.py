"""Shared fixtures for the MLflow compatibility suite.

The suite talks to whatever MLFLOW_TRACKING_URI names, through the unchanged mlflow client. Every test works in
experiments of its own (unique names), so the suite can run against a server that already holds data.
"""
import os
import uuid

import pytest

# Fail fast instead of the client's default 7 retries with exponential backoff (minutes per failing call),
# while still retrying a 503 + Retry-After (the read-your-writes bound) a few times.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "3")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")

import mlflow  # noqa: E402  (after the environment above)
import requests  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402


def pytest_addoption(parser):
    parser.addoption(
        "--reference",
        action="store_true",
        help="the server is MLflow's own: tests marked beyond_mlflow are expected to fail (strict xfail)",
    )


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--reference"):
        return
    for item in items:
        if item.get_closest_marker("beyond_mlflow"):
            item.add_marker(pytest.mark.xfail(strict=True, reason="MLflow's own server does not do this"))


@pytest.fixture(scope="session")
def tracking_uri():
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    if not uri.startswith("http"):
        pytest.fail("MLFLOW_TRACKING_URI must name the tracking server (http://host:port)")
    mlflow.set_tracking_uri(uri)
    return uri.rstrip("/")


@pytest.fixture
def client(tracking_uri):
    return MlflowClient(tracking_uri)


@pytest.fixture
def unique():
    """A fresh name for experiments and runs: unique per test, readable in the server's data."""

    def make(prefix="t"):
        return f"{prefix}-{uuid.uuid4().hex[:12]}"

    return make


@pytest.fixture
def experiment_id(client, unique):
    return client.create_experiment(unique("exp"))


@pytest.fixture(autouse=True)
def no_active_run():
    yield
    while mlflow.active_run() is not None:
        mlflow.end_run()


class Rest:
    """Raw calls to the REST API 2.0, for what the client would refuse before sending."""

    def __init__(self, base):
        self.base = base

    def post(self, endpoint, body=None, data=None, headers=None):
        h = {"Content-Type": "application/json", **(headers or {})}
        return requests.post(f"{self.base}/api/2.0/mlflow/{endpoint}", json=body if data is None else None,
                             data=data, headers=h, timeout=30)

    def get(self, endpoint, params=None):
        return requests.get(f"{self.base}/api/2.0/mlflow/{endpoint}", params=params, timeout=30)


@pytest.fixture
def rest(tracking_uri):
    return Rest(tracking_uri)


def assert_mlflow_error(response, status, code):
    """MLflow's error shape: a JSON object with error_code and a message, with the HTTP status databricks.proto
    maps the code to. `code` is one code, or a tuple of the codes that are all right here."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    body = response.json()
    assert body["error_code"] in ((code,) if isinstance(code, str) else code), body
    assert isinstance(body.get("message"), str) and body["message"], body
