"""Bad input through the REST API: MLflow's error shape, and nothing of the refused request is kept."""
import pytest
from conftest import assert_mlflow_error


@pytest.fixture
def run_id(client, experiment_id):
    return client.create_run(experiment_id).info.run_id


def assert_untouched(client, run_id):
    data = client.get_run(run_id).data
    assert data.metrics == {} and data.params == {}
    assert not [k for k in data.tags if not k.startswith("mlflow.")]


def metric(key="m", value=1.0, step=0, timestamp=1_700_000_000_000):
    return {"key": key, "value": value, "timestamp": timestamp, "step": step}


@pytest.mark.beyond_mlflow
def test_malformed_json_is_a_400_in_mlflow_shape(rest, client, run_id):
    # MLflow's own server answers malformed JSON with an HTML 500 page.
    response = rest.post("runs/log-batch", data=b'{"run_id": "' + run_id.encode() + b'", "metrics": [')
    assert_mlflow_error(response, 400, ("MALFORMED_REQUEST", "BAD_REQUEST", "INVALID_PARAMETER_VALUE"))
    assert_untouched(client, run_id)


@pytest.mark.beyond_mlflow
def test_json_array_body_is_a_400(rest, client, run_id):
    assert_mlflow_error(rest.post("runs/log-batch", data=b"[1, 2, 3]"), 400, "INVALID_PARAMETER_VALUE")
    assert_untouched(client, run_id)


def test_more_than_1000_metrics_in_a_batch(rest, client, run_id):
    body = {"run_id": run_id, "metrics": [metric(step=i) for i in range(1001)]}
    assert_mlflow_error(rest.post("runs/log-batch", body), 400, "INVALID_PARAMETER_VALUE")
    assert_untouched(client, run_id)


def test_more_than_100_params_in_a_batch(rest, client, run_id):
    body = {"run_id": run_id, "params": [{"key": f"p{i}", "value": "1"} for i in range(101)]}
    assert_mlflow_error(rest.post("runs/log-batch", body), 400, "INVALID_PARAMETER_VALUE")
    assert_untouched(client, run_id)


def test_more_than_100_tags_in_a_batch(rest, client, run_id):
    body = {"run_id": run_id, "tags": [{"key": f"t{i}", "value": "1"} for i in range(101)]}
    assert_mlflow_error(rest.post("runs/log-batch", body), 400, "INVALID_PARAMETER_VALUE")
    assert_untouched(client, run_id)


@pytest.mark.parametrize("key", ["bad$key", "../escape", "/absolute", "tab\tkey", "x" * 251])
def test_bad_metric_key_refuses_the_whole_batch(rest, client, run_id, key):
    body = {"run_id": run_id, "metrics": [metric("good"), metric(key)], "params": [{"key": "p", "value": "1"}]}
    assert_mlflow_error(rest.post("runs/log-batch", body), 400, "INVALID_PARAMETER_VALUE")
    assert_untouched(client, run_id)


def test_bad_param_key(rest, client, run_id):
    assert_mlflow_error(rest.post("runs/log-parameter", {"run_id": run_id, "key": "a;b", "value": "1"}), 400, "INVALID_PARAMETER_VALUE")
    assert_untouched(client, run_id)


@pytest.mark.beyond_mlflow
def test_oversize_param_value(rest, client, run_id):
    body = {"run_id": run_id, "key": "p", "value": "v" * 6001}
    assert_mlflow_error(rest.post("runs/log-parameter", body), 400, "INVALID_PARAMETER_VALUE")
    assert_untouched(client, run_id)


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"value": "abc"}, marks=pytest.mark.beyond_mlflow),
        pytest.param({"value": [1]}, marks=pytest.mark.beyond_mlflow),
        pytest.param({"step": "seven"}, marks=pytest.mark.beyond_mlflow),
        pytest.param({"timestamp": "later"}, marks=pytest.mark.beyond_mlflow),
        {"key": 5},
    ],
)
def test_wrong_types_in_a_metric(rest, client, run_id, bad):
    body = {"run_id": run_id, "metrics": [metric("good"), {**metric("m"), **bad}]}
    assert_mlflow_error(rest.post("runs/log-batch", body), 400, "INVALID_PARAMETER_VALUE")
    assert_untouched(client, run_id)


def test_missing_required_fields(rest, client, run_id):
    assert_mlflow_error(rest.post("runs/log-metric", {"run_id": run_id, "key": "m"}), 400, "INVALID_PARAMETER_VALUE")
    assert_mlflow_error(rest.post("runs/log-parameter", {"run_id": run_id, "value": "1"}), 400, "INVALID_PARAMETER_VALUE")
    assert_mlflow_error(rest.post("experiments/create", {}), 400, "INVALID_PARAMETER_VALUE")
    assert_untouched(client, run_id)


def test_a_param_conflict_inside_a_batch_refuses_the_batch(rest, client, run_id):
    client.log_param(run_id, "lr", "0.1")
    body = {"run_id": run_id, "params": [{"key": "lr", "value": "0.2"}], "metrics": [metric("m")]}
    assert_mlflow_error(rest.post("runs/log-batch", body), 400, "INVALID_PARAMETER_VALUE")
    data = client.get_run(run_id).data
    assert data.params == {"lr": "0.1"} and data.metrics == {}


def test_unknown_run_in_a_raw_request(rest):
    response = rest.post("runs/log-batch", {"run_id": "0123456789abcdef0123456789abcdef", "metrics": [metric()]})
    assert_mlflow_error(response, 404, "RESOURCE_DOES_NOT_EXIST")
