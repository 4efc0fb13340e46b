"""The fluent API (mlflow.*), as training scripts use it."""
import math

import mlflow
from mlflow.entities import RunStatus


def test_set_experiment_creates_then_reuses(client, unique):
    name = unique("fluent")
    first = mlflow.set_experiment(name)
    again = mlflow.set_experiment(name)
    assert first.experiment_id == again.experiment_id
    assert client.get_experiment_by_name(name).experiment_id == first.experiment_id


def test_run_with_params_metrics_tags(client, unique):
    mlflow.set_experiment(unique("fluent"))
    with mlflow.start_run(run_name="train-1") as run:
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"optimizer": "adam", "layers": 3})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"acc": 0.9, "f1": 0.8}, step=4)
        mlflow.set_tag("team", "vision")
        mlflow.set_tags({"stage": "dev", "owner": "ada"})
    got = client.get_run(run.info.run_id)
    assert got.info.status == "FINISHED"
    assert got.info.run_name == "train-1"
    assert got.info.end_time is not None and got.info.end_time >= got.info.start_time
    assert got.data.params == {"lr": "0.01", "optimizer": "adam", "layers": "3"}
    assert got.data.metrics == {"loss": 0.2, "acc": 0.9, "f1": 0.8}
    assert {k: got.data.tags[k] for k in ("team", "stage", "owner")} == {"team": "vision", "stage": "dev", "owner": "ada"}
    assert got.data.tags["mlflow.runName"] == "train-1"
    history = client.get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(s, 1.0 / (s + 1)) for s in range(5)]


def test_nested_runs_carry_the_parent(client, unique):
    exp = mlflow.set_experiment(unique("nested"))
    with mlflow.start_run(run_name="parent") as parent:
        with mlflow.start_run(run_name="child-a", nested=True) as child_a:
            mlflow.log_metric("score", 1.0)
        with mlflow.start_run(run_name="child-b", nested=True) as child_b:
            mlflow.log_metric("score", 2.0)
    for child in (child_a, child_b):
        assert client.get_run(child.info.run_id).data.tags["mlflow.parentRunId"] == parent.info.run_id
    children = client.search_runs([exp.experiment_id], f"tags.mlflow.parentRunId = '{parent.info.run_id}'",
                                  order_by=["metrics.score ASC"])
    assert [r.info.run_name for r in children] == ["child-a", "child-b"]


def test_end_run_with_status_and_a_failed_run(client, unique):
    mlflow.set_experiment(unique("status"))
    run = mlflow.start_run()
    mlflow.end_run(status=RunStatus.to_string(RunStatus.KILLED))
    assert client.get_run(run.info.run_id).info.status == "KILLED"
    try:
        with mlflow.start_run() as failing:
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert client.get_run(failing.info.run_id).info.status == "FAILED"


def test_metric_history_keeps_every_step_and_timestamp(client, unique):
    mlflow.set_experiment(unique("history"))
    with mlflow.start_run() as run:
        for step in range(0, 300, 3):
            mlflow.log_metric("val", step * 0.5, step=step, timestamp=1_700_000_000_000 + step)
    history = client.get_metric_history(run.info.run_id, "val")
    assert [(m.step, m.value, m.timestamp) for m in history] == [
        (s, s * 0.5, 1_700_000_000_000 + s) for s in range(0, 300, 3)
    ]


def test_nan_survives(client, unique):
    mlflow.set_experiment(unique("nan"))
    with mlflow.start_run() as run:
        mlflow.log_metric("m", float("nan"), step=0)
        mlflow.log_metric("m", 1.5, step=1)
    values = [m.value for m in client.get_metric_history(run.info.run_id, "m")]
    assert math.isnan(values[0]) and values[1] == 1.5
