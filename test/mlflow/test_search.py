"""mlflow.search_runs: MLflow filter strings, order_by, and the DataFrame it builds."""
import mlflow
import pandas as pd
import pytest


@pytest.fixture
def seeded(client, unique):
    """Six finished runs with known params, metrics and tags in an experiment of their own."""
    exp_id = client.create_experiment(unique("search"))
    rows = [
        ("alpha-1", "adam", 0.1, 0.91, "risk", "FINISHED"),
        ("alpha-2", "adam", 0.01, 0.95, "risk", "FINISHED"),
        ("beta-1", "sgd", 0.1, 0.70, "vision", "FINISHED"),
        ("beta-2", "sgd", 0.01, 0.82, "vision", "FAILED"),
        ("gamma-1", "adam", 0.001, 0.60, "vision", "FINISHED"),
        ("gamma-2", "rmsprop", 0.1, 0.99, "Risk", "KILLED"),
    ]
    ids = {}
    for name, opt, lr, acc, team, status in rows:
        run_id = client.create_run(exp_id, run_name=name, tags={"team": team}).info.run_id
        client.log_param(run_id, "optimizer", opt)
        client.log_param(run_id, "lr", str(lr))
        client.log_metric(run_id, "acc", acc, step=1)
        client.set_terminated(run_id, status=status)
        ids[name] = run_id
    return exp_id, ids


def names(df):
    return list(df["tags.mlflow.runName"]) if len(df) else []


def test_dataframe_columns_and_values(seeded):
    exp_id, ids = seeded
    df = mlflow.search_runs([exp_id], filter_string="params.optimizer = 'adam'", order_by=["metrics.acc DESC"])
    assert isinstance(df, pd.DataFrame)
    for col in ("run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time",
                "metrics.acc", "params.optimizer", "params.lr", "tags.team", "tags.mlflow.runName"):
        assert col in df.columns, col
    assert names(df) == ["alpha-2", "alpha-1", "gamma-1"]
    assert list(df["run_id"]) == [ids["alpha-2"], ids["alpha-1"], ids["gamma-1"]]
    assert list(df["metrics.acc"]) == [0.95, 0.91, 0.60]
    assert list(df["params.lr"]) == ["0.01", "0.1", "0.001"]
    assert set(df["experiment_id"]) == {exp_id}
    assert list(df["status"]) == ["FINISHED"] * 3
    assert str(df["start_time"].dtype).startswith("datetime64")


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("metrics.acc > 0.9", ["alpha-1", "alpha-2", "gamma-2"]),
        ("metrics.acc >= 0.82 AND params.optimizer != 'adam'", ["beta-2", "gamma-2"]),
        ("params.lr = '0.1' and metrics.acc < 0.95", ["alpha-1", "beta-1"]),
        ("tags.team = 'vision'", ["beta-1", "beta-2", "gamma-1"]),
        ("tags.team LIKE 'r%'", ["alpha-1", "alpha-2"]),
        ("tags.team ILIKE 'r%'", ["alpha-1", "alpha-2", "gamma-2"]),
        ("attributes.run_name LIKE 'beta-%'", ["beta-1", "beta-2"]),
        ("attributes.status = 'FINISHED' AND params.optimizer = 'adam'", ["alpha-1", "alpha-2", "gamma-1"]),
        ("attributes.status != 'FINISHED'", ["beta-2", "gamma-2"]),
        ("tags.mlflow.runName = 'gamma-1'", ["gamma-1"]),
        ("run_name = 'alpha-2'", ["alpha-2"]),
        ("attributes.start_time > 0", ["alpha-1", "alpha-2", "beta-1", "beta-2", "gamma-1", "gamma-2"]),
        ("metrics.missing > 0", []),
    ],
)
def test_filter_strings(seeded, filter_string, expected):
    exp_id, _ = seeded
    df = mlflow.search_runs([exp_id], filter_string=filter_string, order_by=["attributes.run_name ASC"])
    assert names(df) == expected


@pytest.mark.beyond_mlflow
def test_in_on_params_goes_beyond_mlflow(seeded):
    # MLflow accepts IN only for run ids and dataset fields; Trackstream's grammar takes it for params too.
    exp_id, _ = seeded
    df = mlflow.search_runs([exp_id], filter_string="params.optimizer IN ('sgd', 'rmsprop')", order_by=["attributes.run_name ASC"])
    assert names(df) == ["beta-1", "beta-2", "gamma-2"]


def test_filter_by_run_id_in(seeded):
    exp_id, ids = seeded
    wanted = [ids["beta-1"], ids["gamma-2"]]
    df = mlflow.search_runs([exp_id], filter_string=f"attributes.run_id IN ('{wanted[0]}', '{wanted[1]}')")
    assert sorted(df["run_id"]) == sorted(wanted)


def test_order_by_and_max_results(seeded):
    exp_id, _ = seeded
    df = mlflow.search_runs([exp_id], order_by=["params.lr ASC", "metrics.acc DESC"], max_results=4)
    assert names(df) == ["gamma-1", "alpha-2", "beta-2", "gamma-2"]


def test_empty_result_is_an_empty_dataframe(seeded):
    exp_id, _ = seeded
    df = mlflow.search_runs([exp_id], filter_string="params.optimizer = 'none'")
    assert isinstance(df, pd.DataFrame) and len(df) == 0


def test_search_by_experiment_name_and_list_output(client, seeded):
    exp_id, ids = seeded
    name = client.get_experiment(exp_id).name
    runs = mlflow.search_runs(experiment_names=[name], filter_string="metrics.acc < 0.65", output_format="list")
    assert [r.info.run_id for r in runs] == [ids["gamma-1"]]
