"""Artifact uploads through the artifact store (services/artifact-store), off the training thread.

``Run.log_artifact`` checks its input and enqueues; one worker thread per client hashes each file (streamed from
disk, block by block) and uploads it: ``PUT /v1/runs/<run>/artifacts/<path>`` with Content-Length and
``x-trackstream-sha256`` (the server refuses bytes that do not match), or, above the multipart threshold, a resumable
multipart upload whose parts already received are skipped after a failure. Retries use the SDK's one backoff rule
(``_backoff``); the store records the ``artifact_logged`` event itself once the bytes are stored.
"""
import collections
import hashlib
import http.client
import json
import logging
import os
import socket
import threading
import time
import urllib.parse

from ._backoff import backoff_delay, parse_retry_after
from .errors import TrackstreamError

log = logging.getLogger("trackstream")

#: Default port of the artifact store (services/artifact-store, TRACKSTREAM_ARTIFACT_PORT).
DEFAULT_ARTIFACT_PORT = 8084
_BLOCK = 1 << 16
# Statuses worth another try: throttled, unavailable, or a gateway in front of the store. RUN_NOT_FOUND (404) too,
# for a while: the run's run_started event may not be projected yet when its first artifact arrives.
_RETRY_STATUSES = (429, 502, 503, 504)


def derive_artifact_url(gateway_url):
    """The artifact store next to the gateway: same scheme and host, port 8084."""
    parts = urllib.parse.urlsplit(gateway_url)
    host = parts.hostname
    if ":" in host:
        host = "[%s]" % host
    return "%s://%s:%d" % (parts.scheme, host, DEFAULT_ARTIFACT_PORT)


class ArtifactUploadError(TrackstreamError):
    """The artifact store refused an upload (or it could not be reached within the retries)."""

    code = "SDK_ARTIFACT_UPLOAD_FAILED"


class _Retry(Exception):
    def __init__(self, reason, retry_after_ms=None):
        super().__init__(reason)
        self.retry_after_ms = retry_after_ms


class _Slice:
    """A file region as a readable body: http.client streams it block by block."""

    def __init__(self, f, offset, length):
        f.seek(offset)
        self._f = f
        self._left = length

    def read(self, n=-1):
        if self._left <= 0:
            return b""
        n = self._left if n is None or n < 0 else min(n, self._left)
        b = self._f.read(n)
        self._left -= len(b)
        return b


Job = collections.namedtuple("Job", "run_id local_path artifact_path size media_type")


class ArtifactUploader:
    """One worker thread, started on the first upload (and again in a forked child that uploads)."""

    def __init__(self, url, token, principal, timeout_s, base_ms, max_ms, multipart_threshold, part_size, max_attempts, run_wait_s):
        parts = urllib.parse.urlsplit(url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._base = parts.path.rstrip("/")
        self._timeout = timeout_s
        self._base_ms = base_ms
        self._max_ms = max_ms
        self.multipart_threshold = multipart_threshold
        self.part_size = part_size
        self._max_attempts = max_attempts
        self._run_wait_s = run_wait_s
        self._headers = {}
        if token:
            self._headers["authorization"] = "Bearer " + token
        if principal:
            self._headers["x-trackstream-principal"] = principal
        self._cond = threading.Condition()
        self._queue = collections.deque()
        self._counts = {}  # run_id -> {"uploaded", "pending", "failed", "errors"}
        self._stop = threading.Event()
        self._thread = None
        self._pid = None
        self._conn = None

    # --- the caller's side (training thread) ---------------------------------------------------------------------

    def enqueue(self, jobs):
        with self._cond:
            for j in jobs:
                self._queue.append(j)
                self._tally(j.run_id)["pending"] += 1
            if self._thread is None or self._pid != os.getpid():
                self._pid = os.getpid()
                self._conn = None
                self._stop = threading.Event()
                self._thread = threading.Thread(target=self._work, name="trackstream-artifacts", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait(self, run_id, deadline):
        """Until the run has no pending upload or the deadline (time.monotonic()); its counts."""
        with self._cond:
            while self._tally(run_id)["pending"] > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return self.counts(run_id)

    def counts(self, run_id):
        with self._cond:
            t = self._tally(run_id)
            return {"uploaded": t["uploaded"], "pending": t["pending"], "failed": t["failed"], "errors": list(t["errors"])}

    def wait_all(self, deadline):
        with self._cond:
            while any(t["pending"] for t in self._counts.values()):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def close(self):
        """Stops the worker (it closes its connection); uploads not done by now stay counted as pending."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()

    def after_fork_in_child(self):
        """The parent's queue, counts, connection and lock are the parent's: a child starts empty."""
        self._cond = threading.Condition()
        self._queue = collections.deque()
        self._counts = {}
        self._thread = None
        self._conn = None
        self._stop = threading.Event()

    def _tally(self, run_id):
        t = self._counts.get(run_id)
        if t is None:
            t = self._counts[run_id] = {"uploaded": 0, "pending": 0, "failed": 0, "errors": []}
        return t

    # --- the worker ------------------------------------------------------------------------------------------------

    def _work(self):
        while True:
            with self._cond:
                while not self._queue and not self._stop.is_set():
                    self._cond.wait()
                if self._stop.is_set():
                    self._close_conn()
                    return
                job = self._queue.popleft()
            error = None
            try:
                self._upload(job)
            except Exception as e:  # noqa: BLE001 - every failure is counted and reported, the worker goes on
                error = e if isinstance(e, TrackstreamError) else ArtifactUploadError("%s: %s" % (job.artifact_path, e))
                log.warning("trackstream: artifact %s of run %s not uploaded: %s", job.artifact_path, job.run_id, error)
            with self._cond:
                t = self._tally(job.run_id)
                t["pending"] -= 1
                if error is None:
                    t["uploaded"] += 1
                else:
                    t["failed"] += 1
                    t["errors"].append(str(error))
                self._cond.notify_all()

    def _upload(self, job):
        whole, parts = self._digest(job)
        if job.size > self.multipart_threshold:
            self._multipart(job, whole, parts)
        else:
            path = "%s/v1/runs/%s/artifacts/%s" % (self._base, job.run_id, urllib.parse.quote(job.artifact_path, safe="/"))

            def put():
                with open(job.local_path, "rb") as f:
                    return self._request("PUT", path, _Slice(f, 0, job.size), job.size, {"x-trackstream-sha256": whole, "content-type": job.media_type})

            self._retrying(job, put)

    def _digest(self, job):
        """One pass over the file: the whole file's sha256 and, for multipart, each part's."""
        whole = hashlib.sha256()
        parts = []
        multipart = job.size > self.multipart_threshold
        with open(job.local_path, "rb") as f:
            left = job.size
            while left > 0:
                part = hashlib.sha256()
                n = min(self.part_size, left) if multipart else left
                read = 0
                while read < n:
                    b = f.read(min(_BLOCK, n - read))
                    if not b:
                        raise ArtifactUploadError("%s: the file shrank while it was read (%d of %d bytes)" % (job.local_path, job.size - left + read, job.size))
                    whole.update(b)
                    part.update(b)
                    read += len(b)
                parts.append(part.hexdigest())
                left -= n
            if f.read(1):
                raise ArtifactUploadError("%s: the file grew after log_artifact (was %d bytes); not uploaded" % (job.local_path, job.size))
        return whole.hexdigest(), parts

    def _multipart(self, job, whole, part_shas):
        created = self._retrying(job, lambda: self._json("POST", "%s/v1/runs/%s/uploads" % (self._base, job.run_id), {"path": job.artifact_path, "media_type": job.media_type}))
        upload = "%s/v1/uploads/%s" % (self._base, urllib.parse.quote(created["upload_id"], safe=""))
        try:
            first = True

            def send_missing():
                nonlocal first
                # After a failure, ask what the store has: parts received intact are not sent again.
                have = set()
                if not first:
                    for p in self._json("GET", upload + "/parts").get("parts", []):
                        n = p.get("part_number")
                        if isinstance(n, int) and 1 <= n <= len(part_shas) and p.get("sha256") == part_shas[n - 1]:
                            have.add(n)
                first = False
                with open(job.local_path, "rb") as f:
                    for i, sha in enumerate(part_shas):
                        n = i + 1
                        if n in have:
                            continue
                        offset = i * self.part_size
                        length = min(self.part_size, job.size - offset)
                        self._request("PUT", "%s/parts/%d" % (upload, n), _Slice(f, offset, length), length, {"x-trackstream-sha256": sha})

            self._retrying(job, send_missing)
            claim = [{"part_number": i + 1, "sha256": s} for i, s in enumerate(part_shas)]
            self._retrying(job, lambda: self._json("POST", upload + "/complete", {"parts": claim, "sha256": whole}))
        except BaseException:
            try:
                self._request("DELETE", upload, None, 0, {})
            except Exception:  # noqa: BLE001 - the store expires abandoned uploads anyway
                pass
            raise

    def _retrying(self, job, attempt_fn):
        attempt = 0
        started = time.monotonic()
        while True:
            try:
                return attempt_fn()
            except _Retry as r:
                if self._stop.is_set():
                    raise ArtifactUploadError("%s: the client closed before the upload finished (%s)" % (job.artifact_path, r))
                if attempt + 1 >= self._max_attempts:
                    raise ArtifactUploadError("%s: gave up after %d attempts: %s" % (job.artifact_path, attempt + 1, r)) from None
                if str(r).startswith("RUN_NOT_FOUND") and time.monotonic() - started > self._run_wait_s:
                    raise ArtifactUploadError("%s: %s" % (job.artifact_path, r)) from None
                delay = backoff_delay(attempt, self._base_ms, self._max_ms, r.retry_after_ms)
                log.info("trackstream: artifact %s upload failed (%s), retry %d in %d ms", job.artifact_path, r, attempt + 1, delay)
                attempt += 1
                if self._stop.wait(delay / 1000.0):
                    raise ArtifactUploadError("%s: the client closed before the upload finished" % job.artifact_path) from None

    # --- HTTP ------------------------------------------------------------------------------------------------------

    def _json(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {} if data is None else {"content-type": "application/json"}
        status, text = self._request(method, path, data, 0 if data is None else len(data), headers)
        return json.loads(text) if text else {}

    def _request(self, method, path, body, length, headers):
        """Returns (status, text) on 2xx; raises _Retry when another try can help, ArtifactUploadError when not."""
        h = dict(self._headers)
        h.update({k: v for k, v in headers.items() if v is not None})
        if method in ("PUT", "POST"):
            h["content-length"] = str(length)
        try:
            conn = self._connection()
            conn.request(method, path, body=body, headers=h)
            res = conn.getresponse()
            text = res.read().decode("utf-8", "replace")
            if res.getheader("connection", "").lower() == "close":
                self._close_conn()
        except (OSError, http.client.HTTPException, socket.timeout) as e:
            self._close_conn()
            raise _Retry("%s %s" % (type(e).__name__, e)) from None
        if 200 <= res.status < 300:
            return res.status, text
        err = {}
        try:
            parsed = json.loads(text)
            err = parsed.get("error") if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict) else {}
        except ValueError:
            pass
        code = err.get("code") or "HTTP_%d" % res.status
        message = "%s (HTTP %d): %s" % (code, res.status, err.get("message") or text[:300])
        if res.status in _RETRY_STATUSES or code == "RUN_NOT_FOUND":
            raise _Retry(message, parse_retry_after(res.getheader("retry-after")))
        raise ArtifactUploadError(message)

    def _connection(self):
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = cls(self._host, self._port, timeout=self._timeout, blocksize=_BLOCK)
        return self._conn

    def _close_conn(self):
        c, self._conn = self._conn, None
        if c is not None:
            try:
                c.close()
            except OSError:
                pass
