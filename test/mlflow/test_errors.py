"""Every error the client relies on comes back with MLflow's error code."""
import mlflow
import pytest
from conftest import assert_mlflow_error
from mlflow.exceptions import MlflowException


def code_of(excinfo):
    return excinfo.value.error_code


def test_unknown_run_is_resource_does_not_exist(client):
    with pytest.raises(MlflowException) as e:
        client.get_run("0123456789abcdef0123456789abcdef")
    assert code_of(e) == "RESOURCE_DOES_NOT_EXIST"


def test_unknown_experiment_is_resource_does_not_exist(client):
    with pytest.raises(MlflowException) as e:
        client.get_experiment("987654321987654321")
    assert code_of(e) == "RESOURCE_DOES_NOT_EXIST"
    assert client.get_experiment_by_name("no-such-experiment-ever-xyz") is None


def test_logging_to_an_unknown_run_is_resource_does_not_exist(client):
    with pytest.raises(MlflowException) as e:
        client.log_metric("0123456789abcdef0123456789abcdef", "m", 1.0)
    assert code_of(e) == "RESOURCE_DOES_NOT_EXIST"


def test_create_run_in_unknown_experiment(client):
    with pytest.raises(MlflowException) as e:
        client.create_run("987654321987654321")
    assert code_of(e) == "RESOURCE_DOES_NOT_EXIST"


def test_changed_param_value_is_invalid_and_the_first_value_stays(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    client.log_param(run_id, "lr", "0.1")
    with pytest.raises(MlflowException) as e:
        client.log_param(run_id, "lr", "0.2")
    assert code_of(e) == "INVALID_PARAMETER_VALUE"
    assert client.get_run(run_id).data.params == {"lr": "0.1"}


def test_changed_param_value_through_the_fluent_api(client, unique):
    mlflow.set_experiment(unique("param-change"))
    with mlflow.start_run() as run:
        mlflow.log_param("depth", 3)
        with pytest.raises(MlflowException) as e:
            mlflow.log_params({"depth": 4, "other": 1})
        assert code_of(e) == "INVALID_PARAMETER_VALUE"
    assert client.get_run(run.info.run_id).data.params["depth"] == "3"


def test_duplicate_experiment_name_is_resource_already_exists(client, unique):
    name = unique("dup")
    client.create_experiment(name)
    with pytest.raises(MlflowException) as e:
        client.create_experiment(name)
    assert code_of(e) == "RESOURCE_ALREADY_EXISTS"


@pytest.mark.beyond_mlflow
def test_rename_onto_an_existing_name_is_refused(client, unique):
    a, b = unique("a"), unique("b")
    client.create_experiment(a)
    b_id = client.create_experiment(b)
    with pytest.raises(MlflowException) as e:
        client.rename_experiment(b_id, a)
    assert code_of(e) == "RESOURCE_ALREADY_EXISTS"
    assert client.get_experiment(b_id).name == b


def test_invalid_filter_is_invalid_parameter_value(client, experiment_id):
    with pytest.raises(MlflowException) as e:
        client.search_runs([experiment_id], filter_string="metrics.acc >>> 1")
    assert code_of(e) == "INVALID_PARAMETER_VALUE"


@pytest.mark.beyond_mlflow
def test_invalid_status_is_invalid_parameter_value(rest, client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    assert_mlflow_error(rest.post("runs/update", {"run_id": run_id, "status": "EXPLODED"}), 400, "INVALID_PARAMETER_VALUE")
    assert client.get_run(run_id).info.status == "RUNNING"
