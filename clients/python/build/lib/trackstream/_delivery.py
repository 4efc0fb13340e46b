"""Delivers one batch until the gateway has it (as packages/sdk/src/delivery.ts): retries with backoff on anything
transient (honouring Retry-After), halves it on 413, sets aside exactly the events a 400 names. The same event ids
go out every time, so a retry after a lost 202 is harmless."""
from . import _limits as L
from ._backoff import backoff_delay
from ._transport import ACCEPTED, DENIED, REJECTED, RETRY, TOO_LARGE
from ._wire import batch_body

DELIVERED, STOPPED, DENIED_OUTCOME = "delivered", "stopped", "denied"


class Hooks:
    """What deliver() needs from its caller; override the methods."""

    base_ms = 250
    max_ms = 30000

    def on_retry(self, result, attempt, delay_ms):
        pass

    def on_rejected(self, events, problems):
        pass

    def on_accepted(self, result):
        pass

    def on_denied(self, result):
        pass

    def sleep(self, ms):
        """Waits unless interrupted; False when the caller wants the loop to stop."""
        raise NotImplementedError

    def stopped(self):
        return False

    def random(self):
        import random

        return random.random()


def deliver(transport, serialized, hooks):
    body = batch_body(serialized)
    if len(body) > L.BATCH_BYTES and len(serialized) > 1:
        return _halves(transport, serialized, hooks)
    attempt = 0
    while True:
        if hooks.stopped():
            return STOPPED
        result = transport.send(body)
        if result.kind == ACCEPTED:
            hooks.on_accepted(result)
            return DELIVERED
        if result.kind == DENIED:
            hooks.on_denied(result)
            return DENIED_OUTCOME
        if result.kind == TOO_LARGE:
            if len(serialized) <= 1:
                hooks.on_rejected(serialized, [{"index": 0, "path": "events[0]", "message": "event is larger than the gateway accepts (413)"}])
                return DELIVERED
            return _halves(transport, serialized, hooks)
        if result.kind == REJECTED:
            bad = {p["index"] for p in result.problems if p["index"] is not None and 0 <= p["index"] < len(serialized)}
            if not bad:
                if len(serialized) <= 1:
                    hooks.on_rejected(serialized, result.problems)
                    return DELIVERED
                return _halves(transport, serialized, hooks)
            hooks.on_rejected([s for i, s in enumerate(serialized) if i in bad], [p for p in result.problems if p["index"] in bad])
            serialized = [s for i, s in enumerate(serialized) if i not in bad]
            if not serialized:
                return DELIVERED
            body = batch_body(serialized)
            continue
        # RETRY
        if result.permanent and attempt >= 1 and len(serialized) > 1:
            return _halves(transport, serialized, hooks)
        delay = backoff_delay(attempt, hooks.base_ms, hooks.max_ms, result.retry_after_ms, hooks.random)
        hooks.on_retry(result, attempt, delay)
        attempt += 1
        if not hooks.sleep(delay):
            return STOPPED


def _halves(transport, serialized, hooks):
    mid = (len(serialized) + 1) // 2
    first = deliver(transport, serialized[:mid], hooks)
    if first != DELIVERED:
        return first
    return deliver(transport, serialized[mid:], hooks)
