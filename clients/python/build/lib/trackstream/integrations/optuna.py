"""Optuna: each trial becomes a Trackstream run with its params, intermediate values as metrics, the objective and
the trial state. Use ``TrackstreamCallback`` as a study callback (it logs once a trial is over, from the trial's
own record, so it works in any worker process and never slows the objective)."""
import math

import optuna

_STATUS = {
    optuna.trial.TrialState.COMPLETE: "FINISHED",
    optuna.trial.TrialState.PRUNED: "KILLED",
    optuna.trial.TrialState.FAIL: "FAILED",
}


class TrackstreamCallback:
    def __init__(self, client, experiment=None, metric_name="objective", finish_timeout=None):
        self.client = client
        self.experiment = experiment
        self.metric_name = metric_name
        self.finish_timeout = finish_timeout

    def __call__(self, study, trial):
        run = self.client.start_run(
            experiment=self.experiment or study.study_name,
            name="trial-%d" % trial.number,
            params={k: v for k, v in trial.params.items()},
            tags={"optuna.study": study.study_name, "optuna.trial_number": trial.number, "optuna.state": trial.state.name},
        )
        for step, value in sorted(trial.intermediate_values.items()):
            run.log({"intermediate": float(value)}, step=step)
        if trial.values is not None:
            names = [self.metric_name] if len(trial.values) == 1 else ["%s_%d" % (self.metric_name, i) for i in range(len(trial.values))]
            run.log({n: float(v) for n, v in zip(names, trial.values)}, step=len(trial.intermediate_values))
        run.finish(status=_STATUS.get(trial.state, "FAILED"), timeout=self.finish_timeout)
