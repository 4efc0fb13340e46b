"""MlflowClient: the lower-level API that sweep tools and integrations use."""
import time

import pytest
from mlflow.entities import Metric, Param, RunTag, ViewType


def test_create_run_and_log_batch_of_1000_metrics(client, experiment_id):
    run = client.create_run(experiment_id, run_name="batch", tags={"kind": "batch"})
    now = int(time.time() * 1000)
    metrics = [Metric(key=f"m{i % 10}", value=float(i), timestamp=now, step=i // 10) for i in range(1000)]
    params = [Param(f"p{i}", str(i)) for i in range(100)]
    tags = [RunTag(f"t{i}", f"v{i}") for i in range(100)]
    client.log_batch(run.info.run_id, metrics=metrics, params=params, tags=tags)

    got = client.get_run(run.info.run_id)
    assert got.info.run_name == "batch" and got.info.status == "RUNNING"
    assert got.data.metrics == {f"m{k}": float(990 + k) for k in range(10)}
    assert got.data.params == {f"p{i}": str(i) for i in range(100)}
    assert all(got.data.tags[f"t{i}"] == f"v{i}" for i in range(100)) and got.data.tags["kind"] == "batch"
    history = client.get_metric_history(run.info.run_id, "m3")
    assert [(m.step, m.value) for m in history] == [(s, float(s * 10 + 3)) for s in range(100)]


def test_get_metric_history_pages_through_a_long_series(client, experiment_id):
    # The client asks for pages of 25,000 and follows next_page_token; 30,000 points need two pages.
    run = client.create_run(experiment_id)
    for start in range(0, 30_000, 1000):
        client.log_batch(run.info.run_id, metrics=[Metric("long", float(s), 0, s) for s in range(start, start + 1000)])
    history = client.get_metric_history(run.info.run_id, "long")
    assert [m.step for m in history] == list(range(30_000))


def test_search_runs_follows_page_tokens(client, experiment_id):
    created = {client.create_run(experiment_id, run_name=f"r{i:02d}").info.run_id for i in range(23)}
    seen, token, pages = [], None, 0
    while True:
        page = client.search_runs([experiment_id], max_results=10, page_token=token, order_by=["attributes.run_name ASC"])
        seen += [r.info.run_name for r in page]
        pages += 1
        token = page.token
        if not token:
            break
    assert pages == 3
    assert seen == [f"r{i:02d}" for i in range(23)]
    everything = client.search_runs([experiment_id], max_results=100)
    assert {r.info.run_id for r in everything} == created


def test_search_experiments_by_name_and_tag(client, unique):
    prefix = unique("search-exp")
    ids = [client.create_experiment(f"{prefix}-{i}", tags={"group": "a" if i % 2 else "b"}) for i in range(4)]
    found = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", order_by=["name ASC"])
    assert [e.experiment_id for e in found] == ids
    tagged = client.search_experiments(filter_string=f"name LIKE '{prefix}-%' AND tags.group = 'a'", order_by=["name DESC"])
    assert [e.name for e in tagged] == [f"{prefix}-3", f"{prefix}-1"]
    page = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", max_results=3, order_by=["name ASC"])
    assert len(page) == 3 and page.token
    rest = client.search_experiments(filter_string=f"name LIKE '{prefix}-%'", max_results=3, page_token=page.token, order_by=["name ASC"])
    assert [e.experiment_id for e in rest] == ids[3:] and not rest.token


def test_default_experiment_exists(client):
    default = client.get_experiment("0")
    assert default.name == "Default"


def test_delete_and_restore_a_run(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    client.delete_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    assert run_id not in {r.info.run_id for r in client.search_runs([experiment_id])}
    deleted = client.search_runs([experiment_id], run_view_type=ViewType.DELETED_ONLY)
    assert [r.info.run_id for r in deleted] == [run_id]
    client.restore_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "active"
    assert [r.info.run_id for r in client.search_runs([experiment_id], run_view_type=ViewType.ACTIVE_ONLY)] == [run_id]


def test_delete_restore_and_rename_an_experiment(client, unique):
    name = unique("lifecycle")
    exp_id = client.create_experiment(name)
    client.delete_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "deleted"
    active = client.search_experiments(filter_string=f"name = '{name}'")
    assert active == []
    assert [e.experiment_id for e in client.search_experiments(view_type=ViewType.DELETED_ONLY, filter_string=f"name = '{name}'")] == [exp_id]
    client.restore_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "active"
    client.rename_experiment(exp_id, name + "-renamed")
    assert client.get_experiment_by_name(name + "-renamed").experiment_id == exp_id
    assert client.get_experiment_by_name(name) is None


def test_experiment_tags(client, experiment_id):
    client.set_experiment_tag(experiment_id, "owner", "ada")
    client.set_experiment_tag(experiment_id, "temp", "x")
    client.delete_experiment_tag(experiment_id, "temp")
    tags = client.get_experiment(experiment_id).tags
    assert tags.get("owner") == "ada" and "temp" not in tags


def test_set_terminated_and_update_run(client, experiment_id):
    run_id = client.create_run(experiment_id, run_name="before").info.run_id
    client.update_run(run_id, name="after")
    client.set_terminated(run_id, status="FAILED", end_time=1_800_000_000_000)
    info = client.get_run(run_id).info
    assert (info.status, info.end_time, info.run_name) == ("FAILED", 1_800_000_000_000, "after")


def test_delete_tag(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    client.set_tag(run_id, "keep", "1")
    client.set_tag(run_id, "drop", "2")
    client.delete_tag(run_id, "drop")
    tags = client.get_run(run_id).data.tags
    assert tags["keep"] == "1" and "drop" not in tags


def test_same_param_value_again_is_fine(client, experiment_id):
    run_id = client.create_run(experiment_id).info.run_id
    client.log_param(run_id, "lr", "0.1")
    client.log_param(run_id, "lr", "0.1")
    client.log_batch(run_id, params=[Param("lr", "0.1")])
    assert client.get_run(run_id).data.params == {"lr": "0.1"}


@pytest.mark.parametrize("value", [float("inf"), float("-inf")])
def test_infinite_metric_values_are_accepted(client, experiment_id, value):
    # MLflow clamps ±Inf to the largest finite double on write; Trackstream keeps it. Both accept the call and
    # keep the sign and a magnitude beyond any finite loss.
    run_id = client.create_run(experiment_id).info.run_id
    client.log_metric(run_id, "m", value)
    got = client.get_run(run_id).data.metrics["m"]
    assert got == value or (abs(got) >= 1.7e308 and (got > 0) == (value > 0))
