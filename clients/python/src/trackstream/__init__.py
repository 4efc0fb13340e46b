"""Trackstream's Python SDK: logging that never blocks a training loop, spooled to disk, synced later.

    import trackstream
    run = trackstream.init(project="vision", experiment="resnet", config={"lr": 0.01})
    for step in range(1000):
        run.log({"loss": loss, "acc": acc}, step=step)
    run.finish()
"""
from ._client import Client, CloseReport
from ._ids import experiment_id_for, uuid_v5
from ._run import FinishReport, Run
from ._secrets import filter_env, is_secret_name, redact_argv, redact_params, scrub_value
from ._artifacts import ArtifactUploadError
from .errors import AccessDeniedError, ClientClosedError, InvalidArgumentError, OfflineArtifactError, RunFinishedError, TrackstreamError

__version__ = "0.1.0"

__all__ = [
    "AccessDeniedError",
    "ArtifactUploadError",
    "Client",
    "ClientClosedError",
    "CloseReport",
    "FinishReport",
    "InvalidArgumentError",
    "OfflineArtifactError",
    "Run",
    "RunFinishedError",
    "TrackstreamError",
    "experiment_id_for",
    "filter_env",
    "finish",
    "init",
    "is_secret_name",
    "log",
    "log_artifact",
    "redact_argv",
    "redact_params",
    "run",
    "scrub_value",
    "uuid_v5",
]

#: The current run of ``trackstream.init`` (None before init and after finish).
run = None
_default_client = None


def init(project=None, experiment=None, name=None, config=None, tags=None, run_id=None, parent_run_id=None, **client_options):
    """Starts a run (the process's current one) and returns it. ``config`` is logged as params; ``experiment``
    defaults to "default". Client options (url, token, offline, spool_dir, backpressure, …) and TRACKSTREAM_*
    variables configure the process-wide client made by the first call."""
    global run, _default_client
    if run is not None and not run.is_finished:
        run.finish()
    if _default_client is None or _default_client._closed or client_options:
        if _default_client is not None and not _default_client._closed and client_options:
            _default_client.close()
        opts = dict(client_options)
        if project is not None:
            opts["project"] = project
        _default_client = Client(**opts)
    elif project is not None and project != _default_client.project:
        _default_client.close()
        _default_client = Client(project=project)
    run = _default_client.start_run(experiment=experiment or "default", name=name, params=config, tags=tags, run_id=run_id, parent_run_id=parent_run_id)
    return run


def _current():
    if run is None:
        raise InvalidArgumentError("run", "no current run: call trackstream.init() first")
    return run


def log(metrics, step=None, timestamp=None, debug=False):
    """Logs to the current run (see Run.log)."""
    _current().log(metrics, step=step, timestamp=timestamp, debug=debug)


def log_params(params):
    _current().log_params(params)


def set_tags(tags):
    _current().set_tags(tags)


def log_artifact(local_path=None, artifact_path=None, **kw):
    """Uploads to the current run (see Run.log_artifact)."""
    return _current().log_artifact(local_path, artifact_path, **kw)


def finish(status="FINISHED", timeout=None):
    """Finishes the current run; returns its FinishReport."""
    global run
    r = _current()
    report = r.finish(status=status, timeout=timeout)
    run = None
    return report
