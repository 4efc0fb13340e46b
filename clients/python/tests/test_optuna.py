"""An Optuna sweep across worker processes logs every trial as a run: params, intermediate values, objective, state."""
import multiprocessing
import os

import optuna

import trackstream
from trackstream.integrations.optuna import TrackstreamCallback

TRIALS_PER_WORKER = int(os.environ.get("TS_TEST_OPTUNA_TRIALS_PER_WORKER", "125"))
WORKERS = int(os.environ.get("TS_TEST_OPTUNA_WORKERS", "8"))


def _worker(url, spool_dir, storage_path, study_name):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(storage_path))
    study = optuna.load_study(study_name=study_name, storage=storage)
    client = trackstream.Client(project="pysdk", url=url, spool_dir=spool_dir, exit_hooks=False, capture_context=False)

    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        for step in range(3):
            trial.report((x - 2) ** 2 + step, step)
        return (x - 2) ** 2

    study.optimize(objective, n_trials=TRIALS_PER_WORKER, callbacks=[TrackstreamCallback(client, experiment="py-optuna")])
    report = client.close(timeout=60)
    os._exit(0 if report.unsent_events == 0 else 3)


def test_sweep_across_worker_processes_loses_no_trial(gateway_url, query, spool_dir, tmp_path):
    storage_path = str(tmp_path / "journal.log")
    storage = optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(storage_path))
    study = optuna.create_study(study_name="py-sweep", storage=storage)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_worker, args=(gateway_url, spool_dir, storage_path, "py-sweep")) for _ in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    trials = study.get_trials()
    assert len(trials) == TRIALS_PER_WORKER * WORKERS
    exp = trackstream.experiment_id_for("pysdk", "py-optuna")
    status, body = query.get("/v1/experiments/" + exp)
    assert status == 200, body
    # Every trial is a finished run with its param and objective.
    import json
    import time
    import urllib.request

    deadline = time.monotonic() + 60
    runs = []
    while time.monotonic() < deadline:
        req = urllib.request.Request(
            query.url + "/v1/runs/search",
            data=json.dumps({"experiment_ids": [exp], "max_results": 1000, "filter": "attributes.status = 'FINISHED'"}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            runs = json.loads(r.read())["runs"]
        if len(runs) >= len(trials):
            break
        time.sleep(0.5)
    assert len(runs) == len(trials)
    by_name = {r["run_name"]: r for r in runs}
    for t in trials:
        r = by_name["trial-%d" % t.number]
        assert float(r["params"]["x"]) == t.params["x"]
        assert r["metrics"]["objective"]["value"] == t.value
        assert r["metrics"]["intermediate"]["count"] == 3
        assert r["tags"]["optuna.state"] == "COMPLETE"
