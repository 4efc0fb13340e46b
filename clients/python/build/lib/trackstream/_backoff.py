"""Backoff: the same formula as packages/sdk/src/backoff.ts (full jitter; a server's Retry-After is a floor)."""
import email.utils
import random as _random
import re
import time

DEFAULT_BASE_MS = 250
DEFAULT_MAX_MS = 30000


def backoff_delay(attempt, base_ms, max_ms, retry_after_ms=None, random=_random.random):
    cap = min(max_ms, base_ms * 2 ** min(attempt, 30))
    jittered = int(random() * cap)
    if retry_after_ms is None:
        return jittered
    # A little spread above the floor too, so everyone told "1 s" does not come back on the same millisecond.
    floor = retry_after_ms + int(random() * min(1000, max(50, retry_after_ms / 10)))
    return max(floor, jittered)


def parse_retry_after(value, now_ms=None):
    """Retry-After is delta-seconds or an HTTP date. Returns ms to wait, or None when absent or garbage."""
    if value is None:
        return None
    v = value.strip()
    if re.match(r"^\d+\Z", v):
        return min(int(v) * 1000, 3600000)
    try:
        dt = email.utils.parsedate_to_datetime(v)
    except (TypeError, ValueError, IndexError):
        return None
    if dt is None:
        return None
    now = time.time() * 1000 if now_ms is None else now_ms
    return int(max(0, min(dt.timestamp() * 1000 - now, 3600000)))
