"""A run: what training code logs to. log() validates and appends to the client's intake; nothing else."""
import dataclasses
import hashlib
import mimetypes
import os
import time
import typing

from . import _limits as L
from ._artifacts import Job as ArtifactJob
from ._ids import new_event_id
from ._secrets import redact_params
from ._spool import dumps
from ._validate import (
    check_artifact_path,
    check_key,
    check_mapping,
    check_name,
    check_sha256,
    check_step,
    check_timestamp,
    describe,
    metric_value,
    string_map,
    stringify_value,
)
from .errors import InvalidArgumentError, OfflineArtifactError, RunFinishedError

STATUSES = ("FINISHED", "FAILED", "KILLED")
LINEAGE_KINDS = ("dataset", "model", "code", "run")
# A params/tags event carries at most this much (bytes, estimated); bigger maps are split across events.
_MAP_EVENT_BYTES = 512 * 1024


@dataclasses.dataclass(frozen=True)
class FinishReport:
    run_id: str
    status: str
    #: Every event of the run reached the gateway and every artifact was uploaded.
    complete: bool
    sent_events: int
    #: Not acknowledged by the deadline: on disk at spool_path, sent by the next start or `trackstream sync`.
    unsent_events: int
    spool_path: typing.Optional[str]
    rejected_events: int
    rejected_path: typing.Optional[str]
    #: {dropped, dropped_by_key, downsampled, downsampled_by_key}
    backpressure: dict
    #: AccessDeniedError when the gateway refused the token; the unsent events are in the spool.
    error: typing.Optional[Exception]
    #: Uploads of log_artifact(local_path): {uploaded, pending (still going on after the deadline), failed, errors}.
    artifacts: dict = dataclasses.field(default_factory=lambda: {"uploaded": 0, "pending": 0, "failed": 0, "errors": []})


def _now_ms():
    return int(time.time() * 1000)


class Run:
    def __init__(self, client, run_id, experiment_id, gate):
        self._client = client
        self._pipeline = client._pipeline
        self.run_id = run_id
        self.experiment_id = experiment_id
        self.project = client.project
        self._gate = gate
        self._checked = set()
        self._next_step = 0
        self._finishing = False
        self._report = None
        self._pid = os.getpid()
        self._flush_points = client._opts.flush_points
        self._max_points = client._opts.max_buffered_points
        self._block = gate.policy == "block"

    # --- metrics: the hot path --------------------------------------------------------------------------------

    def log(self, metrics, step=None, timestamp=None, debug=False):
        """Logs metric values for one step; returns at once (validation and an append, no I/O, no serialization).

        ``step`` defaults to one more than the previous call's (0 first); ``timestamp`` (ms) to now. Raises
        InvalidArgumentError naming the argument on a bad key, value or step; a call logs all its points or none.
        """
        if self._finishing:
            raise RunFinishedError(self.run_id)
        if type(metrics) is not dict:
            if not hasattr(metrics, "items"):
                raise InvalidArgumentError("metrics", "must be a dict of {key: number}, got %s" % describe(metrics))
            metrics = dict(metrics.items())
        if step is None:
            step = self._next_step
        elif type(step) is not int or step > L.MAX_LONG or step < -L.MAX_LONG:
            step = check_step("step", step)
        ts = int(time.time() * 1000) if timestamp is None else check_timestamp("timestamp", timestamp)
        checked = self._checked
        clean = None
        for k, v in metrics.items():
            if k not in checked:
                check_key("metrics key", k)
                if len(checked) < 10000:
                    checked.add(k)
            if type(v) is not float:
                if clean is None:
                    clean = dict(metrics)
                try:
                    clean[k] = metric_value("metrics[%r]" % (k,), v)
                except OverflowError:
                    raise InvalidArgumentError("metrics[%r]" % (k,), "metric value %s does not fit a double" % describe(v)) from None
        if clean is None:
            clean = metrics.copy()  # the caller may reuse its dict
        p = self._pipeline
        if p.pressure and not self._block:
            gate = self._gate
            clean = {k: v for k, v in clean.items() if gate.keep(k, debug)}
        if not p._started:
            p.start()
        p.intake.append((self, step, ts, clean))
        p.logged_points += len(clean)
        self._next_step = step + 1
        if p.logged_points - p.taken_points >= self._flush_points:
            p.wake()
            if self._block and p.logged_points - p.taken_points >= self._max_points:
                p.wait_for_room()

    def log_metric(self, key, value, step=None, timestamp=None, debug=False):
        check_key("key", key)
        self.log({key: value}, step=step, timestamp=timestamp, debug=debug)

    # --- everything else: rare, checked fully and serialized at the call ---------------------------------------

    def log_params(self, params):
        """Params are immutable per run on the server: a different value for a logged key is kept as a conflict."""
        self._assert_open()
        m = string_map("params", params, L.PARAM_VALUE_LENGTH)
        if self._client._opts.redact_secret_params:
            m = redact_params(m)
        for part in _split_map(m):
            self._emit("params_logged", {"params": part})

    def log_param(self, key, value):
        check_key("key", key)
        self.log_params({key: value})

    def set_tags(self, tags):
        self._assert_open()
        for part in _split_map(string_map("tags", tags, L.TAG_VALUE_LENGTH)):
            self._emit("tags_set", {"tags": part})

    def set_tag(self, key, value):
        check_key("key", key)
        self.set_tags({key: value})

    def delete_tags(self, keys):
        self._assert_open()
        if isinstance(keys, str) or not isinstance(keys, (list, tuple)):
            raise InvalidArgumentError("keys", "must be a list of tag keys, got %s" % describe(keys))
        for i, k in enumerate(keys):
            check_key("keys[%d]" % i, k)
        for i in range(0, len(keys), L.KEYS_PER_EVENT):
            self._emit("tags_deleted", {"keys": list(keys[i : i + L.KEYS_PER_EVENT])})

    def log_artifact(self, local_path=None, artifact_path=None, uri=None, size_bytes=None, sha256=None, media_type=None):
        """Uploads a file, or every file under a directory, to the artifact store, in the background.

        A file goes to ``artifact_path`` (default its base name); a directory's files go to
        ``<artifact_path>/<path under the directory>`` (the run's artifact root when ``artifact_path`` is None), as
        ``mlflow.log_artifacts`` does. Returns the artifact paths queued. The call checks its input (a missing file,
        a path that would escape the run's artifact root: InvalidArgumentError naming the argument) and only stats
        the files: hashing and upload happen on the uploader's thread, streamed from disk; ``finish()`` waits for
        them (bounded) and its report counts uploaded/pending/failed. Offline (no artifact store to reach) a
        local_path raises OfflineArtifactError rather than recording an artifact nobody will upload.

        Without ``local_path``: ``artifact_path`` and ``uri`` record an artifact stored elsewhere (metadata only).
        """
        self._assert_open()
        if local_path is None:
            if artifact_path is None or uri is None:
                raise InvalidArgumentError("artifact_path", "give local_path, or artifact_path and uri")
            p = check_artifact_path("artifact_path", artifact_path)
            u = check_name("uri", uri, L.TAG_VALUE_LENGTH)
            if size_bytes is not None and (isinstance(size_bytes, bool) or not isinstance(size_bytes, int) or size_bytes < 0 or size_bytes > L.MAX_LONG):
                raise InvalidArgumentError("size_bytes", "must be a non-negative integer, got %s" % describe(size_bytes))
            sha = None if sha256 is None else check_sha256("sha256", sha256)
            media = None if media_type is None else check_name("media_type", media_type)
            self._emit("artifact_logged", {"path": p, "uri": u, "size_bytes": size_bytes, "sha256": sha, "media_type": media})
            return [p]
        for name, v in (("uri", uri), ("size_bytes", size_bytes), ("sha256", sha256)):
            if v is not None:
                raise InvalidArgumentError(name, "is computed from local_path by the upload; give local_path or uri, not both")
        if not isinstance(local_path, (str, os.PathLike)):
            raise InvalidArgumentError("local_path", "must be a path, got %s" % describe(local_path))
        local = os.path.abspath(os.fspath(local_path))
        if not os.path.exists(local):
            raise InvalidArgumentError("local_path", "no such file or directory: %s" % local)
        prefix = None if artifact_path is None else check_artifact_path("artifact_path", artifact_path)
        media = None if media_type is None else check_name("media_type", media_type)
        if os.path.isdir(local):
            files = []
            for root, dirs, names in os.walk(local):
                dirs.sort()
                for n in sorted(names):
                    f = os.path.join(root, n)
                    if os.path.isfile(f):
                        rel = os.path.relpath(f, local).replace(os.sep, "/")
                        files.append((f, rel if prefix is None else prefix + "/" + rel))
            if not files:
                raise InvalidArgumentError("local_path", "directory %s holds no files" % local)
        elif os.path.isfile(local):
            files = [(local, prefix if prefix is not None else os.path.basename(local))]
        else:
            raise InvalidArgumentError("local_path", "is neither a regular file nor a directory: %s" % local)
        uploader = self._client._artifacts
        if uploader is None:
            raise OfflineArtifactError(local)
        jobs = []
        for f, dest in files:
            check_artifact_path("artifact_path (for %s)" % f, dest)
            jobs.append(ArtifactJob(self.run_id, f, dest, os.stat(f).st_size, media or mimetypes.guess_type(f)[0]))
        uploader.enqueue(jobs)
        return [j.artifact_path for j in jobs]

    def record_lineage(self, inputs=None, outputs=None):
        """inputs/outputs: lists of {"kind": dataset|model|code|run, "name": ..., "version": ..., "digest": ...}."""
        self._assert_open()
        ins = [_lineage_ref("inputs[%d]" % i, r) for i, r in enumerate(_list("inputs", inputs))]
        outs = [_lineage_ref("outputs[%d]" % i, r) for i, r in enumerate(_list("outputs", outputs))]
        if not ins and not outs:
            raise InvalidArgumentError("lineage", "needs at least one input or output")
        if len(ins) > L.LINEAGE_REFS_PER_EVENT or len(outs) > L.LINEAGE_REFS_PER_EVENT:
            raise InvalidArgumentError("lineage", "at most %d inputs and %d outputs per call" % (L.LINEAGE_REFS_PER_EVENT, L.LINEAGE_REFS_PER_EVENT))
        self._emit("lineage_recorded", {"inputs": ins, "outputs": outs})

    # --- ending ------------------------------------------------------------------------------------------------

    def finish(self, status="FINISHED", timeout=None):
        """Ends the run and waits (up to ``timeout`` s, default the client's finish_timeout) until the gateway has
        every event of the run. What is not acknowledged by then is on disk; the report says how much and where."""
        if self._report is not None:
            return self._report
        if status not in STATUSES:
            raise InvalidArgumentError("status", "must be FINISHED, FAILED or KILLED, got %s" % describe(status))
        timeout = self._client._opts.finish_timeout if timeout is None else timeout
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
            raise InvalidArgumentError("timeout", "must be a non-negative number of seconds")
        self.end(status)
        p = self._pipeline
        deadline = time.monotonic() + timeout
        if not p.seal_barrier(max(0.0, deadline - time.monotonic())):
            # The sealer did not get to this run's last events in time: seal them here, or the report would count
            # as delivered what is still in the intake.
            p.seal_available()
        if p.offline:
            p.spill_now()
        elif not p.wait_for_run(self.run_id, deadline):
            p.spill_now()
        uploader = self._client._artifacts
        artifacts = None if uploader is None else uploader.wait(self.run_id, deadline)
        return self._make_report(status, artifacts)

    def end(self, status):
        """Enqueues run_completed without waiting (exit paths); finish() is the normal way."""
        if self._finishing:
            return
        self._emit("run_completed", {"status": status, "end_time": _now_ms()})
        self._finishing = True
        self._status = status

    def _make_report(self, status, artifacts=None):
        p = self._pipeline
        if artifacts is None:
            uploader = self._client._artifacts
            artifacts = uploader.counts(self.run_id) if uploader is not None else {"uploaded": 0, "pending": 0, "failed": 0, "errors": []}
        with p._lock:
            d = p.delivery(self.run_id)
            self._report = FinishReport(
                run_id=self.run_id,
                status=status,
                complete=d.pending == 0 and d.rejected == 0 and artifacts["pending"] == 0 and artifacts["failed"] == 0,
                sent_events=d.sent,
                unsent_events=d.pending,
                spool_path=p.spool_path if d.pending > 0 else None,
                rejected_events=d.rejected,
                rejected_path=p.rejected_path if d.rejected > 0 else None,
                backpressure=self._gate.snapshot(),
                error=p.denied,
                artifacts=artifacts,
            )
        p.forget(self.run_id)
        self._client._run_ended(self)
        return self._report

    @property
    def is_finished(self):
        return self._finishing

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.finish("FINISHED")
        else:
            self.finish("KILLED" if issubclass(exc_type, KeyboardInterrupt) else "FAILED")
        return False

    def __repr__(self):
        return "<trackstream.Run %s experiment=%s>" % (self.run_id, self.experiment_id)

    # --- internals ---------------------------------------------------------------------------------------------

    def _assert_open(self):
        if self._finishing:
            raise RunFinishedError(self.run_id)

    def _emit(self, type_, payload):
        event = {
            "event_id": new_event_id(),
            "type": type_,
            "project": self.project,
            "experiment_id": self.experiment_id,
            "run_id": self.run_id,
            "occurred_at": _now_ms(),
            "payload": payload,
        }
        p = self._pipeline
        if not p._started:
            p.start()
        p.intake.append((self, None, None, dumps(event)))
        p.wake()


def _list(argument, v):
    if v is None:
        return []
    if not isinstance(v, (list, tuple)):
        raise InvalidArgumentError(argument, "must be a list, got %s" % describe(v))
    return v


def _lineage_ref(argument, r):
    check_mapping(argument, r)
    kind = r.get("kind")
    if kind not in LINEAGE_KINDS:
        raise InvalidArgumentError(argument + ".kind", "must be dataset, model, code or run, got %s" % describe(kind))
    name = check_name(argument + ".name", r.get("name"), L.TAG_VALUE_LENGTH)
    version = r.get("version")
    digest = r.get("digest")
    return {
        "kind": kind,
        "name": name,
        "version": None if version is None else stringify_value(argument + ".version", version, L.KEY_LENGTH),
        "digest": None if digest is None else stringify_value(argument + ".digest", digest, L.KEY_LENGTH),
    }


def _split_map(m):
    parts = []
    cur = {}
    size = 0
    for k, v in m.items():
        s = len(k) + 2 * len(v) + 8
        if cur and (size + s > _MAP_EVENT_BYTES or len(cur) >= L.ENTRIES_PER_MAP):
            parts.append(cur)
            cur = {}
            size = 0
        cur[k] = v
        size += s
    if cur:
        parts.append(cur)
    return parts
