"""POST /v1/events over a keep-alive connection; every outcome classified (as packages/sdk/src/transport.ts)."""
import gzip
import http.client
import json
import socket
import urllib.parse

from ._backoff import parse_retry_after

ACCEPTED, REJECTED, TOO_LARGE, DENIED, RETRY = "accepted", "rejected", "too_large", "denied", "retry"


class SendResult:
    __slots__ = ("kind", "status", "reason", "retry_after_ms", "problems", "code", "denial_reason", "message", "permanent", "token")

    def __init__(self, kind, status=None, reason="", retry_after_ms=None, problems=None, code=None, denial_reason=None, message="", permanent=False, token=None):
        self.kind = kind
        self.status = status
        self.reason = reason
        self.retry_after_ms = retry_after_ms
        self.problems = problems or []
        self.code = code
        self.denial_reason = denial_reason
        self.message = message
        self.permanent = permanent
        self.token = token

    def __repr__(self):
        return "SendResult(%s, status=%s, reason=%r)" % (self.kind, self.status, self.reason[:80])


def _json(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def classify(status, body, retry_after):
    parsed = _json(body)
    err = parsed.get("error") if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict) else {}
    if status in (200, 201, 202):
        token = parsed.get("token") if isinstance(parsed, dict) else None
        return SendResult(ACCEPTED, status=status, token=token if isinstance(token, str) else None)
    if status == 400:
        details = err.get("details") if isinstance(err.get("details"), dict) else {}
        raw = details.get("problems")
        if not isinstance(raw, list):
            raw = [{"index": None, "path": "", "message": err.get("message") if isinstance(err.get("message"), str) else body[:500]}]
        problems = []
        for p in raw:
            o = p if isinstance(p, dict) else {}
            problems.append({
                "index": o.get("index") if isinstance(o.get("index"), int) else None,
                "path": o.get("path") if isinstance(o.get("path"), str) else "",
                "message": o.get("message") if isinstance(o.get("message"), str) else json.dumps(p),
            })
        return SendResult(REJECTED, status=status, problems=problems)
    if status == 413:
        return SendResult(TOO_LARGE, status=status)
    if status in (401, 403):
        details = err.get("details") if isinstance(err.get("details"), dict) else {}
        code = err.get("code") if isinstance(err.get("code"), str) else ("UNAUTHENTICATED" if status == 401 else "FORBIDDEN")
        reason = details.get("reason") if isinstance(details.get("reason"), str) else None
        message = err.get("message")[:500] if isinstance(err.get("message"), str) else "HTTP %d" % status
        return SendResult(DENIED, status=status, code=code, denial_reason=reason, message=message)
    return SendResult(
        RETRY,
        status=status,
        reason="HTTP %d%s" % (status, (": " + body[:300]) if body else ""),
        retry_after_ms=parse_retry_after(retry_after),
        permanent=status >= 500 and err.get("retriable") is False,
    )


class HttpTransport:
    """One connection, used by one thread at a time (the sender's)."""

    def __init__(self, url, token=None, principal=None, headers=None, compression="gzip", timeout_s=30.0):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("url must be an http(s) URL, got %r" % url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        base = parts.path if parts.path.endswith("/") else parts.path + "/"
        self._path = base + "v1/events"
        self._timeout = timeout_s
        self._compression = compression
        self._headers = {"content-type": "application/json", "accept": "application/json"}
        self._headers.update(headers or {})
        if token:
            self._headers["authorization"] = "Bearer " + token
        if principal:
            self._headers["x-trackstream-principal"] = principal
        self._conn = None

    def _connection(self):
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = cls(self._host, self._port, timeout=self._timeout)
        return self._conn

    def send(self, body):
        """``body`` is the uncompressed JSON of {"events": [...]}. Never raises: failures are RETRY results."""
        headers = dict(self._headers)
        payload = body
        # Small bodies are not worth compressing; metric batches compress 5-10x. Level 1: most of the win, little CPU.
        if self._compression == "gzip" and len(body) > 1024:
            payload = gzip.compress(body, compresslevel=1)
            headers["content-encoding"] = "gzip"
        headers["content-length"] = str(len(payload))
        for attempt in (0, 1):
            try:
                conn = self._connection()
                conn.request("POST", self._path, body=payload, headers=headers)
                res = conn.getresponse()
                text = res.read().decode("utf-8", "replace")
                if res.getheader("connection", "").lower() == "close":
                    self.close()
                return classify(res.status, text, res.getheader("retry-after"))
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                # A kept-alive connection the server closed meanwhile: one fresh attempt at once.
                self.close()
                if attempt == 1:
                    return SendResult(RETRY, reason=str(e) or type(e).__name__)
            except (OSError, http.client.HTTPException, socket.timeout) as e:
                self.close()
                return SendResult(RETRY, reason=str(e) or type(e).__name__)
        return SendResult(RETRY, reason="unreachable")

    def forget_connection(self):
        """After fork(), in the child: the socket is the parent's; open a new one when needed."""
        self._conn = None

    def close(self):
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
            self._conn = None
