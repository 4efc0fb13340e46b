"""The client: one per process is typical (``trackstream.init`` makes it); several runs at once (sweep workers)."""
import collections
import dataclasses
import logging
import os
import threading
import time
import typing
import weakref

from . import _exit
from . import _limits as L
from ._artifacts import ArtifactUploader, derive_artifact_url
from ._backoff import DEFAULT_BASE_MS, DEFAULT_MAX_MS
from ._context import EMPTY_SOURCE, capture
from ._ids import experiment_created_event_id, experiment_id_for, new_run_id
from ._pipeline import Pipeline
from ._policy import POLICIES, PolicyGate
from ._recovery import recover_spools
from ._run import Run
from ._spool import default_spool_dir, dumps
from ._transport import HttpTransport
from ._validate import check_id, check_name, describe, string_map
from .errors import ClientClosedError, InvalidArgumentError

log = logging.getLogger("trackstream")
#: The artifact store's largest multipart part (MULTIPART_LIMITS.maxPartBytes in packages/artifacts).
MAX_PART_BYTES = 5 * 1024**3

Options = collections.namedtuple(
    "Options",
    "url project token principal offline spool_dir flush_points flush_interval max_buffered_points backpressure "
    "downsample_every compression request_timeout retry_base_ms retry_max_ms finish_timeout exit_timeout fsync "
    "redact_secret_params capture_context capture_env exit_hooks recover_spools artifact_url multipart_threshold "
    "multipart_part_size artifact_max_attempts artifact_run_wait",
)

DEFAULTS = dict(
    url=None,
    token=None,
    principal=None,
    offline=False,
    spool_dir=None,
    # A batch goes out when this many points are buffered, or every flush_interval seconds.
    flush_points=10000,
    flush_interval=2.0,
    # Points held in memory before the rest spills to disk.
    max_buffered_points=100000,
    backpressure="block",
    downsample_every=10,
    compression="gzip",
    request_timeout=30.0,
    retry_base_ms=DEFAULT_BASE_MS,
    retry_max_ms=DEFAULT_MAX_MS,
    finish_timeout=30.0,
    # At interpreter exit, how long unfinished work may still try the gateway before it is spooled.
    exit_timeout=5.0,
    fsync=True,
    redact_secret_params=True,
    capture_context=True,
    capture_env=True,
    exit_hooks=True,
    recover_spools=True,
    # The artifact store (TRACKSTREAM_ARTIFACT_URL); default: the gateway's host, port 8084.
    artifact_url=None,
    # Files larger than this go up as resumable multipart uploads of multipart_part_size bytes.
    multipart_threshold=64 * 1024 * 1024,
    multipart_part_size=16 * 1024 * 1024,
    # Tries per upload request (429/503/connection errors; backoff as for the gateway).
    artifact_max_attempts=8,
    # How long (s) an upload waits for its run to be known to the store (the run_started event projected).
    artifact_run_wait=30.0,
)


def compile_options(raw, env):
    """raw keyword options → environment (TRACKSTREAM_*) → defaults → one frozen Options; every check here, once."""
    o = dict(DEFAULTS)
    if env.get("TRACKSTREAM_URL"):
        o["url"] = env["TRACKSTREAM_URL"]
    if env.get("TRACKSTREAM_TOKEN", "").strip():
        o["token"] = env["TRACKSTREAM_TOKEN"].strip()
    if env.get("TRACKSTREAM_ARTIFACT_URL"):
        o["artifact_url"] = env["TRACKSTREAM_ARTIFACT_URL"]
    if env.get("TRACKSTREAM_SPOOL_DIR"):
        o["spool_dir"] = env["TRACKSTREAM_SPOOL_DIR"]
    mode = env.get("TRACKSTREAM_MODE", "").strip().lower()
    if mode not in ("", "online", "offline"):
        raise InvalidArgumentError("TRACKSTREAM_MODE", "must be online or offline, got %r" % mode)
    if mode == "offline":
        o["offline"] = True
    project = raw.pop("project", None) or env.get("TRACKSTREAM_PROJECT")
    unknown = set(raw) - set(DEFAULTS)
    if unknown:
        raise InvalidArgumentError(sorted(unknown)[0], "unknown option")
    o.update({k: v for k, v in raw.items() if v is not None})
    check_id("project", project)
    if o["spool_dir"] is None:
        o["spool_dir"] = default_spool_dir()
    o["offline"] = bool(o["offline"])
    if not o["offline"]:
        if not isinstance(o["url"], str) or not o["url"].startswith(("http://", "https://")):
            raise InvalidArgumentError("url", "must be an http(s) URL (or set TRACKSTREAM_URL, or offline=True), got %s" % describe(o["url"]))
        if o["artifact_url"] is None:
            o["artifact_url"] = derive_artifact_url(o["url"])
        elif not isinstance(o["artifact_url"], str) or not o["artifact_url"].startswith(("http://", "https://")):
            raise InvalidArgumentError("artifact_url", "must be an http(s) URL (or set TRACKSTREAM_ARTIFACT_URL), got %s" % describe(o["artifact_url"]))
    for name in ("flush_points", "max_buffered_points", "downsample_every", "retry_base_ms", "retry_max_ms", "multipart_threshold", "multipart_part_size", "artifact_max_attempts"):
        v = o[name]
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InvalidArgumentError(name, "must be a positive integer, got %s" % describe(v))
    for name in ("flush_interval", "request_timeout", "finish_timeout", "exit_timeout", "artifact_run_wait"):
        v = o[name]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or (name in ("flush_interval", "request_timeout") and v == 0):
            raise InvalidArgumentError(name, "must be a positive number of seconds, got %s" % describe(v))
    if o["backpressure"] not in POLICIES:
        raise InvalidArgumentError("backpressure", "must be block, downsample or drop, got %s" % describe(o["backpressure"]))
    if o["compression"] not in ("gzip", "none"):
        raise InvalidArgumentError("compression", "must be gzip or none")
    tok = o["token"]
    if tok is not None and (not isinstance(tok, str) or not tok or any(not (0x21 <= ord(c) <= 0x7E) for c in tok)):
        # Never quote it: it is a credential.
        raise InvalidArgumentError("token", "must be a non-empty string of visible ASCII characters (the API token)")
    if o["multipart_part_size"] > MAX_PART_BYTES:
        raise InvalidArgumentError("multipart_part_size", "must be at most %d bytes (the store's part limit)" % MAX_PART_BYTES)
    o["flush_points"] = min(o["flush_points"], L.POINTS_PER_EVENT * 50)
    return Options(project=project, **o)


@dataclasses.dataclass(frozen=True)
class CloseReport:
    unsent_events: int
    spool_path: typing.Optional[str]
    stats: dict
    error: typing.Optional[Exception]
    recovery: typing.Optional[dict]


class Client:
    """Owns the send queue, the spool and the exit hooks for any number of runs.

    Options (keywords; TRACKSTREAM_URL / _PROJECT / _TOKEN / _SPOOL_DIR / _MODE=offline fill what is not given):
    url, project, token, offline, spool_dir (~/.trackstream/spool), flush_points (10,000), flush_interval (2 s),
    max_buffered_points (100,000), backpressure ('block' | 'downsample' | 'drop'), downsample_every (10),
    finish_timeout (30 s), exit_timeout (5 s), fsync, redact_secret_params, capture_context, capture_env,
    exit_hooks, recover_spools, retry_base_ms, retry_max_ms, request_timeout, compression, artifact_url
    (TRACKSTREAM_ARTIFACT_URL; default the gateway's host, port 8084), multipart_threshold (64 MiB),
    multipart_part_size (16 MiB), artifact_max_attempts (8), artifact_run_wait (30 s).
    """

    def __init__(self, env=None, **options):
        self._opts = o = compile_options(dict(options), os.environ if env is None else env)
        self.project = o.project
        self._env = os.environ if env is None else env
        transport = None
        if not o.offline:
            transport = HttpTransport(o.url, token=o.token, principal=o.principal, compression=o.compression, timeout_s=o.request_timeout)
        self._pipeline = Pipeline(
            transport, o.url, o.spool_dir, o.project, o.flush_points, o.flush_interval, o.max_buffered_points, o.retry_base_ms, o.retry_max_ms, o.fsync
        )
        self._pipeline.start()
        self._artifacts = None
        if not o.offline:
            self._artifacts = ArtifactUploader(
                o.artifact_url, o.token, o.principal, o.request_timeout, o.retry_base_ms, o.retry_max_ms,
                o.multipart_threshold, o.multipart_part_size, o.artifact_max_attempts, o.artifact_run_wait,
            )
        self._runs = {}
        self._created_experiments = set()
        self._closed = False
        self._pid = os.getpid()
        self._context = None
        self.recovery = None
        self._recovery_stop = threading.Event()
        self._recovery_thread = None
        if transport is not None and o.recover_spools:
            self._recovery_thread = threading.Thread(target=self._recover, name="trackstream-recovery", daemon=True)
            self._recovery_thread.start()
        _exit.register(self)

    @property
    def offline(self):
        return self._opts.offline

    def _recover(self):
        o = self._opts
        t = HttpTransport(o.url, token=o.token, principal=o.principal, compression=o.compression, timeout_s=o.request_timeout)
        try:
            self.recovery = recover_spools(o.spool_dir, o.url, t, o.retry_base_ms, o.retry_max_ms, stop_event=self._recovery_stop)
        except Exception:  # noqa: BLE001
            log.exception("trackstream: spool recovery failed")
        finally:
            t.close()

    def wait_for_recovery(self, timeout=None):
        """Waits until the spools of crashed processes found at start were sent (or given up on); the report."""
        if self._recovery_thread is not None:
            self._recovery_thread.join(timeout)
        return self.recovery

    def get_or_create_experiment(self, name, description=None, tags=None):
        """The experiment called ``name``: its id is derived from (project, name), its creation event's id too, so
        any number of workers doing this at once agree on one experiment. No round trip. Returns its id."""
        self._assert_open()
        check_name("experiment", name)
        experiment_id = experiment_id_for(self.project, name)
        t = string_map("tags", tags or {}, L.TAG_VALUE_LENGTH)
        d = None if description is None else check_name("description", description, L.TAG_VALUE_LENGTH)
        if experiment_id not in self._created_experiments:
            self._created_experiments.add(experiment_id)
            event = {
                "event_id": experiment_created_event_id(experiment_id),
                "type": "experiment_created",
                "project": self.project,
                "experiment_id": experiment_id,
                "run_id": None,
                "occurred_at": int(time.time() * 1000),
                "payload": {"name": name, "description": d, "tags": t},
            }
            self._pipeline.intake.append((None, None, None, dumps(event)))
            self._pipeline.wake()
        return experiment_id

    def start_run(self, experiment=None, experiment_id=None, name=None, params=None, tags=None, run_id=None, parent_run_id=None, user=None):
        self._assert_open()
        if (experiment is None) == (experiment_id is None):
            raise InvalidArgumentError("experiment", "give exactly one of experiment (a name) or experiment_id")
        rid = new_run_id() if run_id is None else check_id("run_id", run_id)
        parent = None if parent_run_id is None else check_id("parent_run_id", parent_run_id)
        run_name = None if name is None else check_name("name", name)
        t = string_map("tags", tags or {}, L.TAG_VALUE_LENGTH)
        if params is not None:
            string_map("params", params, L.PARAM_VALUE_LENGTH)
        if user is not None:
            check_name("user", user)
        exp = check_id("experiment_id", experiment_id) if experiment_id is not None else self.get_or_create_experiment(experiment)
        source, captured_user, context = self._capture()
        run = Run(self, rid, exp, PolicyGate(self._opts.backpressure, self._opts.downsample_every))
        run._emit(
            "run_started",
            {
                "run_name": run_name,
                "user": user if user is not None else captured_user,
                "parent_run_id": parent,
                "source": source,
                "start_time": int(time.time() * 1000),
                "tags": t,
                "context": context,
            },
        )
        if params:
            run.log_params(params)
        self._runs[rid] = run
        return run

    def _capture(self):
        if not self._opts.capture_context:
            return dict(EMPTY_SOURCE), None, {}
        if self._context is None:
            # Once per process: a sweep starting thousands of runs pays for git and the package list once.
            self._context = capture(env=self._env if self._opts.capture_env else None)
        source, user, context = self._context
        return dict(source), user, dict(context)

    def _run_ended(self, run):
        self._runs.pop(run.run_id, None)

    @property
    def runs(self):
        return list(self._runs.values())

    def flush(self, timeout=None):
        """Seals what is buffered and waits until the gateway has everything (True) or the deadline (False)."""
        p = self._pipeline
        timeout = self._opts.finish_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        p.seal_barrier(timeout)
        if p.offline:
            p.spill_now()
            return False
        return p.wait_for_all(deadline)

    def stats(self):
        return self._pipeline.stats()

    def close(self, timeout=None):
        """Drains (up to the deadline), then stops. Unsent events stay in the spool for the next start or sync."""
        p = self._pipeline
        if not self._closed:
            self._closed = True
            timeout = self._opts.finish_timeout if timeout is None else timeout
            deadline = time.monotonic() + timeout
            p.seal_barrier(timeout)
            if not p.offline:
                p.wait_for_all(deadline)
            if self._artifacts is not None:
                self._artifacts.wait_all(deadline)
            _exit.unregister(self)
        if self._artifacts is not None:
            self._artifacts.close()
        self._recovery_stop.set()
        spool_path = p.spool_path
        unsent = p.close()
        if self._recovery_thread is not None:
            self._recovery_thread.join(2.0)
        if unsent:
            log.warning("trackstream: closed with %d unsent event(s); they are in the spool %s", unsent, spool_path)
        return CloseReport(unsent_events=unsent, spool_path=spool_path if unsent else None, stats=p.stats(), error=p.denied, recovery=self.recovery)

    # --- process events (called by _exit) -----------------------------------------------------------------------

    def _own_runs(self):
        return [r for r in self._runs.values() if r._pid == os.getpid() and not r.is_finished]

    def _at_exit(self, status):
        """Interpreter exit: end this process's open runs, try the gateway briefly, spool the rest."""
        if self._closed:
            return
        if self._pid != os.getpid() and not self._pipeline._started:
            return  # a forked child that logged nothing: the parent's data is the parent's
        for run in self._own_runs():
            run.end(status)
        self.close(timeout=self._opts.exit_timeout)

    def _on_signal(self, status):
        """SIGTERM: no time for the network; end open runs and put everything on disk, synchronously."""
        if self._closed:
            return
        if self._pid != os.getpid() and not self._pipeline._started:
            return
        for run in self._own_runs():
            run.end(status)
        self._closed = True
        unsent = self._pipeline.close_sync()
        if unsent:
            log.warning("trackstream: terminated with %d unsent event(s); they are in the spool %s", unsent, self._pipeline.spool_path)

    def _after_fork_in_child(self):
        self._pipeline.after_fork_in_child()
        if self._artifacts is not None:
            self._artifacts.after_fork_in_child()
        self._recovery_thread = None
        self._recovery_stop = threading.Event()

    def _assert_open(self):
        if self._closed:
            raise ClientClosedError()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
