"""The send queue shared by every run of a client, off the training thread.

    log() ──► intake (deque, no lock, no I/O) ──► sealer thread ──► chunks (JSON text) ──► sender thread ──► gateway
                                                        │                                       │
                                                        └──── spool on disk (gateway failing, memory full, exit)

Events keep one order from intake to Kafka: the sender always sends the head of the chunk queue, and a spill
writes every in-memory chunk to the spool in queue order (the sender reads spilled chunks back when their turn
comes). The sealer does the serialization so log() only validates and appends.
"""
import collections
import json
import logging
import os
import queue
import threading
import time

from . import _limits as L
from ._delivery import DELIVERED, DENIED_OUTCOME, STOPPED, Hooks, deliver
from ._ids import new_event_id
from ._spool import SpoolFile, hostname, safe_host
from ._wire import metrics_envelope_prefix, serialize_metrics
from .errors import AccessDeniedError

log = logging.getLogger("trackstream")

CHUNK_EVENTS = 1000
CHUNK_BYTES = 1024 * 1024
_MAX_REQUEST_BYTES = L.BATCH_BYTES - 256 * 1024


class _Chunk:
    __slots__ = ("events", "count", "points", "est_bytes", "seq", "sealed", "runs")

    def __init__(self):
        self.events = []
        self.count = 0
        self.points = 0
        self.est_bytes = 0
        self.seq = None
        self.sealed = False
        self.runs = {}


class RunDelivery:
    __slots__ = ("sent", "pending", "rejected")

    def __init__(self):
        self.sent = 0
        self.pending = 0
        self.rejected = 0


class Barrier:
    """Put into the intake; the sealer sets it once everything before it is sealed."""

    __slots__ = ("event",)

    def __init__(self):
        self.event = threading.Event()


class Wakeup:
    """Wakes a background thread. Safe to raise from a signal handler that interrupted the very thread raising it:
    SIGTERM's handler runs on the training thread between two bytecodes, possibly inside log()'s own wake-up, and
    threading.Event.set() would wait there forever for the lock that thread already holds. SimpleQueue.put is
    reentrant (documented so), so a wake-up is an item in one; while one is pending, set() adds none (the waiter
    disarms before it does its work, so whatever was appended before a skipped set() is still seen)."""

    __slots__ = ("_q", "_armed")

    def __init__(self):
        self._q = queue.SimpleQueue()
        self._armed = False

    def set(self):
        if not self._armed:
            self._armed = True
            self._q.put(True)

    def wait(self, timeout):
        """True when woken, False at the timeout; either way the next set() wakes again."""
        try:
            self._q.get(timeout=timeout)
            woken = True
        except queue.Empty:
            woken = False
        self._armed = False
        while True:
            try:
                self._q.get_nowait()
            except queue.Empty:
                return woken


class Pipeline:
    def __init__(self, transport, url, spool_dir, project, flush_points, flush_interval_s, max_buffered_points, base_ms, max_ms, fsync=True):
        self.transport = transport
        self.url = url
        self.spool_dir = spool_dir
        self.project = project
        self.flush_points = flush_points
        self.flush_interval_s = flush_interval_s
        self.max_buffered_points = max_buffered_points
        self.base_ms = base_ms
        self.max_ms = max_ms
        self.fsync = fsync
        self._reset_state()

    # --- state -------------------------------------------------------------------------------------------------

    def _reset_state(self):
        self.intake = collections.deque()
        # Points appended by log() (written only by loggers) and taken by the sealer (written only by it): their
        # difference is what sits in the intake, with no lock on the hot path.
        self.logged_points = 0
        self.taken_points = 0
        self.pressure = False
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._wake_sealer = Wakeup()
        self._wake_sender = Wakeup()
        # Set by close_sync (signal handlers): from then on no threading.Event of a waiter is touched (see Wakeup).
        self._halting = False
        self._stop = threading.Event()
        self._queue = collections.deque()
        self._memory_points = 0
        self._queued_events = 0
        self._spool = None
        self._last_spool_path = None
        self.healthy = True
        self.denied = None
        self._per_run = {}
        self.sent_events = 0
        self.sent_requests = 0
        self.retries = 0
        self.rejected_events = 0
        self.rejected_path = None
        self._threads = []
        self._started = False
        self._pid = os.getpid()

    @property
    def offline(self):
        return self.transport is None

    def start(self):
        if self._started:
            return
        self._started = True
        self._pid = os.getpid()
        for target, name in ((self._seal_loop, "trackstream-sealer"), (self._send_loop, "trackstream-sender")):
            if target == self._send_loop and self.offline:
                continue
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)

    def after_fork_in_child(self):
        """In a forked child: forget the parent's buffer, queue, spool and threads (they belong to the parent)."""
        old_spool = self._spool
        self._reset_state()
        if old_spool is not None:
            old_spool.abandon()
        if self.transport is not None:
            self.transport.forget_connection()

    def before_fork(self):
        self._lock.acquire()

    def after_fork_in_parent(self):
        self._lock.release()

    # --- the hot path ------------------------------------------------------------------------------------------

    def wake(self):
        self._wake_sealer.set()

    def wait_for_room(self):
        """'block' policy with the intake over its bound (the sealer cannot keep up): wait until it has room."""
        self._wake_sealer.set()
        while self.logged_points - self.taken_points >= self.max_buffered_points and not self._stop.is_set():
            time.sleep(0.0005)

    # --- sealing -----------------------------------------------------------------------------------------------

    def _seal_loop(self):
        try:
            while not self._stop.is_set():
                self._wake_sealer.wait(self.flush_interval_s)
                self.seal_available()
        except Exception:  # noqa: BLE001 - a library must not crash its host; close() and exit hooks still spill
            log.exception("trackstream: the sealer stopped on an unexpected error; unsent events will be spooled")

    def seal_available(self):
        """Turns what is in the intake into events; spills when offline, failing, or over the memory bound."""
        with self._lock:
            pending = {}  # run -> list of (key, value, step, ts)
            barriers = []
            intake = self.intake
            taken = 0
            n = len(intake)
            for _ in range(n):
                item = intake.popleft()
                if type(item) is Barrier:
                    barriers.append(item)
                    continue
                run, step, ts, body = item
                if step is None:
                    # A non-metric event of the run: its pending points go first, so the run's order is kept.
                    pts = pending.pop(run, None)
                    if pts:
                        self._seal_points(run, pts)
                    self._push(body, run.run_id if run is not None else "", 1)
                    continue
                pts = pending.get(run)
                if pts is None:
                    pts = pending[run] = []
                for k, v in body.items():
                    pts.append((k, v, step, ts))
                taken += len(body)
            for run, pts in pending.items():
                self._seal_points(run, pts)
            self.taken_points += taken
            if self.offline or not self.healthy or self.denied is not None or self._memory_points >= self.max_buffered_points:
                self._spill_locked()
            self._update_pressure()
            self._changed.notify_all()
        if self._queue:
            self._wake_sender.set()
        if not self._halting:
            for b in barriers:
                b.event.set()

    def _seal_points(self, run, pts):
        for i in range(0, len(pts), L.POINTS_PER_EVENT):
            part = pts[i : i + L.POINTS_PER_EVENT]
            prefix = metrics_envelope_prefix(new_event_id(), self.project, run.experiment_id, run.run_id, part[0][3])
            self._push(serialize_metrics(prefix, part), run.run_id, len(part))

    def _push(self, text, run_id, points):
        tail = self._queue[-1] if self._queue else None
        if tail is None or tail.sealed or tail.count >= CHUNK_EVENTS or tail.est_bytes + len(text) > CHUNK_BYTES:
            tail = _Chunk()
            self._queue.append(tail)
        tail.events.append(text)
        tail.count += 1
        tail.points += points
        tail.est_bytes += len(text)
        tail.runs[run_id] = tail.runs.get(run_id, 0) + 1
        self.delivery(run_id).pending += 1
        self._memory_points += points
        self._queued_events += 1

    def _update_pressure(self):
        self.pressure = (self._memory_points >= self.max_buffered_points) or (
            not self.offline and (not self.healthy or (self._spool is not None and self._spool.pending_batches > 0))
        )

    # --- spilling ----------------------------------------------------------------------------------------------

    def spill_now(self):
        with self._lock:
            return self._spill_locked()

    def _spill_locked(self):
        written = 0
        try:
            for chunk in self._queue:
                if chunk.seq is not None or chunk.events is None:
                    continue
                spool = self._ensure_spool()
                chunk.seq = spool.append_batch_text(chunk.events)
                chunk.sealed = True
                chunk.events = None
                self._memory_points -= chunk.points
                written += chunk.count
            if written and self.fsync and self._spool is not None:
                self._spool.sync()
        except OSError:
            # The disk refused (full, read-only...): keep the events in memory, over the bound, rather than lose them.
            log.exception("trackstream: could not write the spool; events stay in memory (dir %s)", self.spool_dir)
        return written

    def _ensure_spool(self):
        if self._spool is None:
            self._spool = SpoolFile.create(self.spool_dir, self.url)
            self._last_spool_path = self._spool.path
            log.info("trackstream: spooling events to disk: %s", self._spool.path)
        return self._spool

    @property
    def spool_path(self):
        return self._spool.path if self._spool is not None else self._last_spool_path

    # --- sending -----------------------------------------------------------------------------------------------

    def _send_loop(self):
        hooks = _SenderHooks(self)
        try:
            while not self._stop.is_set():
                with self._lock:
                    has_work = bool(self._queue)
                if not has_work:
                    self._wake_sender.wait(1.0)
                    continue
                try:
                    chunks, serialized = self._build_request()
                except (OSError, ValueError, KeyError):
                    log.exception("trackstream: could not read a spooled batch; it stays on disk")
                    self._stop.wait(self.max_ms / 1000.0)
                    continue
                outcome = deliver(self.transport, serialized, hooks)
                if outcome in (STOPPED, DENIED_OUTCOME):
                    return
                self._complete(chunks)
        except Exception:  # noqa: BLE001
            self.healthy = False
            log.exception("trackstream: the sender stopped on an unexpected error; unsent events will be spooled")

    def _build_request(self):
        chunks = []
        serialized = []
        size_total = 16
        with self._lock:
            for chunk in self._queue:
                if chunks and len(serialized) + chunk.count > L.EVENTS_PER_BATCH:
                    break
                strings = chunk.events if chunk.events is not None else self._spool.read_batch_text(chunk.seq)
                size = sum(len(s) + 1 for s in strings)
                if chunks and size_total + size > _MAX_REQUEST_BYTES:
                    break
                chunk.sealed = True
                chunks.append(chunk)
                serialized.extend(strings)
                size_total += size
        return chunks, serialized

    def _complete(self, chunks):
        with self._lock:
            acks = []
            for chunk in chunks:
                head = self._queue.popleft()
                if head is not chunk:
                    raise RuntimeError("trackstream pipeline invariant broken: completed chunk is not the queue head")
                if chunk.seq is not None:
                    acks.append(chunk.seq)
                if chunk.events is not None:
                    self._memory_points -= chunk.points
                self._queued_events -= chunk.count
                self.sent_events += chunk.count
                for run_id, n in chunk.runs.items():
                    d = self.delivery(run_id)
                    d.pending -= n
                    d.sent += n
            if self._spool is not None:
                try:
                    self._spool.append_ack(acks)
                    if self._spool.pending_batches == 0 and not any(c.seq is not None for c in self._queue):
                        # All of it is in Kafka: the file has served its purpose; a new one starts at the next spill.
                        self._spool.remove()
                        self._spool = None
                except OSError:
                    log.warning("trackstream: could not record an acknowledgement in the spool (events may be re-sent, harmlessly)")
            self._update_pressure()
            self._changed.notify_all()

    def _set_aside(self, events, problems):
        with self._lock:
            self.rejected_events += len(events)
            for e in events:
                try:
                    run_id = json.loads(e).get("run_id") or ""
                except ValueError:
                    run_id = ""
                d = self.delivery(run_id)
                d.rejected += 1
                d.sent -= 1
            log.error("trackstream: the gateway rejected %d event(s) as invalid; kept in the rejected file: %s", len(events), problems[:10])
            try:
                os.makedirs(self.spool_dir, exist_ok=True)
                if self.rejected_path is None:
                    self.rejected_path = os.path.join(self.spool_dir, "rejected.%s.%d.jsonl" % (safe_host(hostname()), os.getpid()))
                with open(self.rejected_path, "a", encoding="utf-8") as f:
                    probs = json.dumps(problems, separators=(",", ":"))
                    for e in events:
                        f.write('{"event":%s,"problems":%s}\n' % (e, probs))
            except OSError:
                log.exception("trackstream: could not write the rejected file")

    # --- waiting and stats -------------------------------------------------------------------------------------

    def delivery(self, run_id):
        d = self._per_run.get(run_id)
        if d is None:
            d = self._per_run[run_id] = RunDelivery()
        return d

    def forget(self, run_id):
        with self._lock:
            d = self._per_run.get(run_id)
            if d is not None and d.pending == 0:
                del self._per_run[run_id]

    def seal_barrier(self, timeout_s):
        """Returns once everything put in the intake before this call is sealed (or the timeout)."""
        if not self._started or self._stop.is_set():
            self.seal_available()
            return True
        b = Barrier()
        self.intake.append(b)
        self._wake_sealer.set()
        return b.event.wait(timeout_s)

    def wait_until(self, done, deadline):
        with self._lock:
            while True:
                if done():
                    return True
                if self.denied is not None or self.offline:
                    return False
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(min(left, 0.5))

    def wait_for_run(self, run_id, deadline):
        return self.wait_until(lambda: self.delivery(run_id).pending == 0, deadline)

    def wait_for_all(self, deadline):
        return self.wait_until(lambda: self._queued_events == 0, deadline)

    def stats(self):
        with self._lock:
            return {
                "queued_events": self._queued_events,
                "buffered_points": self._memory_points + (self.logged_points - self.taken_points),
                "spooled_events": self._spool.pending_events if self._spool is not None else 0,
                "spool_path": self.spool_path,
                "sent_events": self.sent_events,
                "sent_requests": self.sent_requests,
                "retries": self.retries,
                "rejected_events": self.rejected_events,
                "healthy": self.healthy,
                "denied": self.denied,
            }

    # --- stopping ----------------------------------------------------------------------------------------------

    def close(self, join_s=1.0):
        """Stops sending; everything unsent is spilled to disk first. Returns the number of unsent events."""
        self.seal_available()
        with self._lock:
            self._stop.set()
            self._spill_locked()
        self._wake_sealer.set()
        self._wake_sender.set()
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(join_s)
        with self._lock:
            if self.transport is not None:
                self.transport.close()
            unsent = self._queued_events
            if self._spool is not None:
                if self._spool.pending_batches == 0:
                    self._spool.remove()
                else:
                    self._spool.close()
                self._spool = None
            return unsent

    def close_sync(self):
        """Last resort (signal handlers, exit): seal and spill everything in the calling thread, close the file."""
        self._halting = True
        self.seal_available()
        with self._lock:
            self._stop.set()
            self._spill_locked()
            unsent = self._queued_events
            if self._spool is not None:
                self._spool.close()
                if self._spool.pending_batches == 0:
                    self._spool.remove()
            return unsent


class _SenderHooks(Hooks):
    def __init__(self, p):
        self.p = p
        self.base_ms = p.base_ms
        self.max_ms = p.max_ms

    def stopped(self):
        return self.p._stop.is_set()

    def sleep(self, ms):
        return not self.p._stop.wait(ms / 1000.0)

    def on_retry(self, result, attempt, delay_ms):
        p = self.p
        p.retries += 1
        if p.healthy:
            with p._lock:
                p.healthy = False
                # Gateway trouble: put everything on disk now, so a crash while we wait loses nothing.
                p._spill_locked()
                p._update_pressure()
        log.warning("trackstream: gateway send failed (%s), retry %d in %d ms", result.reason[:200], attempt, delay_ms)

    def on_rejected(self, events, problems):
        self.p._set_aside(events, problems)

    def on_accepted(self, result):
        p = self.p
        p.sent_requests += 1
        if not p.healthy:
            log.info("trackstream: gateway reachable again")
            p.healthy = True

    def on_denied(self, result):
        p = self.p
        with p._lock:
            p.denied = AccessDeniedError(result.status, result.code, result.denial_reason, result.message)
            p.healthy = False
            p._spill_locked()
            p._update_pressure()
            p._changed.notify_all()
        log.error("trackstream: the gateway refused the API token; sending stopped, unsent events are kept in the spool %s", p.spool_path)
