"""An Optuna study of 50 trials logged through optuna-integration's MLflowCallback."""
import optuna
from optuna_integration.mlflow import MLflowCallback

N_TRIALS = 50


def test_every_trial_is_a_run_with_params_and_objective(client, tracking_uri, unique):
    study_name = unique("optuna")
    callback = MLflowCallback(tracking_uri=tracking_uri, metric_name="objective")

    def objective(trial):
        x = trial.suggest_float("x", -10, 10)
        kind = trial.suggest_categorical("kind", ["a", "b"])
        return (x - 2) ** 2 + (1 if kind == "b" else 0)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(study_name=study_name, sampler=optuna.samplers.RandomSampler(seed=7))
    study.optimize(objective, n_trials=N_TRIALS, callbacks=[callback])

    experiment = client.get_experiment_by_name(study_name)
    assert experiment is not None
    runs = []
    token = None
    while True:
        page = client.search_runs([experiment.experiment_id], max_results=20, page_token=token)
        runs += page
        token = page.token
        if not token:
            break
    assert len(runs) == N_TRIALS
    by_number = {int(r.info.run_name): r for r in runs}
    assert sorted(by_number) == list(range(N_TRIALS))
    for trial in study.trials:
        run = by_number[trial.number]
        assert run.data.metrics["objective"] == trial.value
        assert run.data.params["x"] == str(trial.params["x"])
        assert run.data.params["kind"] == trial.params["kind"]
        assert run.info.status == "FINISHED"
    best = client.search_runs([experiment.experiment_id], order_by=["metrics.objective ASC"], max_results=1)[0]
    assert int(best.info.run_name) == study.best_trial.number
