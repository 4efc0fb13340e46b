"""Argument checks: the shared schema's rules, applied at the call so a bad value fails on the line that made it.

Nothing these checks accept is refused by the gateway; they name the argument in the message (err.argument).
"""
import math
import numbers
import re

from . import _limits as L
from .errors import InvalidArgumentError

# NUL cannot be stored in Postgres text; an unpaired surrogate cannot be encoded as UTF-8. The schema refuses both.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}\Z")


def describe(v):
    if v is None:
        return "None"
    if isinstance(v, bool):
        return repr(v)
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return "a string of %d characters" % len(v) if len(v) > 40 else repr(v)
    return type(v).__name__


def _storable(argument, s):
    if _UNSTORABLE.search(s):
        raise InvalidArgumentError(argument, "must not contain NUL or unpaired surrogate characters")
    return s


def check_key(argument, key):
    if not isinstance(key, str):
        raise InvalidArgumentError(argument, "key must be a string, got %s" % describe(key))
    if not key:
        raise InvalidArgumentError(argument, "key must not be empty")
    if len(key) > L.KEY_LENGTH:
        raise InvalidArgumentError(argument, "key is %d characters, the limit is %d" % (len(key), L.KEY_LENGTH))
    return _storable(argument, key)


def check_step(argument, step):
    if isinstance(step, bool) or not isinstance(step, numbers.Real):
        raise InvalidArgumentError(argument, "step must be an integer, got %s" % describe(step))
    if not isinstance(step, numbers.Integral):
        f = float(step)
        if not math.isfinite(f) or not f.is_integer():
            raise InvalidArgumentError(argument, "step must be a finite integer, got %s" % describe(step))
        step = int(f)
    step = int(step)
    if step > L.MAX_LONG or step < -L.MAX_LONG:
        raise InvalidArgumentError(argument, "step must be between %d and %d, got %d" % (-L.MAX_LONG, L.MAX_LONG, step))
    return step


def check_timestamp(argument, ts):
    if isinstance(ts, bool) or not isinstance(ts, numbers.Integral) or ts < 0 or ts > L.MAX_LONG:
        raise InvalidArgumentError(argument, "timestamp must be a non-negative integer of ms since the epoch, got %s" % describe(ts))
    return int(ts)


def metric_value(argument, value):
    """A metric value as a float (NaN and ±inf are legal: a diverging loss is data worth keeping)."""
    t = type(value)
    if t is float:
        return value
    if t is int:
        return float(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        # numpy / torch 0-d values are numbers.Real (numpy) or expose .item(); anything else is a bug at the call site.
        item = getattr(value, "item", None)
        if callable(item) and getattr(value, "ndim", 1) == 0:
            try:
                v = item()
            except Exception:  # noqa: BLE001 - any failure means "not a number"
                v = None
            if not isinstance(v, bool) and isinstance(v, (int, float)):
                return float(v)
        raise InvalidArgumentError(argument, "metric value must be a number, got %s" % describe(value))
    return float(value)


def check_id(argument, value):
    if not isinstance(value, str) or not L.ID_PATTERN.match(value):
        raise InvalidArgumentError(argument, "must match %s, got %s" % (L.ID_PATTERN.pattern, describe(value)))
    return value


def check_name(argument, name, limit=L.KEY_LENGTH):
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgumentError(argument, "must be a non-empty string, got %s" % describe(name))
    if len(name) > limit:
        raise InvalidArgumentError(argument, "is %d characters, the limit is %d" % (len(name), limit))
    return _storable(argument, name)


def stringify_value(argument, value, limit):
    """Params and tags are strings on the wire; scalars are stringified as MLflow users expect."""
    if isinstance(value, str):
        s = value
    elif isinstance(value, bool):
        s = "true" if value else "false"
    elif isinstance(value, numbers.Integral):
        s = str(int(value))
    elif isinstance(value, numbers.Real):
        s = repr(float(value))
    else:
        raise InvalidArgumentError(argument, "value must be a string, number or bool, got %s" % describe(value))
    if len(s) > limit:
        raise InvalidArgumentError(argument, "value is %d characters, the limit is %d" % (len(s), limit))
    return _storable(argument, s)


def check_mapping(argument, value):
    if not isinstance(value, dict):
        raise InvalidArgumentError(argument, "must be a dict, got %s" % describe(value))
    return value


def string_map(argument, value, limit):
    out = {}
    for k, v in check_mapping(argument, value).items():
        check_key("%s key %r" % (argument, k), k)
        out[k] = stringify_value("%s.%s" % (argument, k), v, limit)
    return out


def check_sha256(argument, value):
    if not isinstance(value, str) or not _SHA256.match(value):
        raise InvalidArgumentError(argument, "must be 64 hex digits")
    return value.lower()


def check_uuid(argument, value):
    if not isinstance(value, str) or not _UUID.match(value):
        raise InvalidArgumentError(argument, "must be a UUID")
    return value


#: The artifact store's path limits (ARTIFACT_PATH_LIMITS in packages/artifacts/src/artifact-path.ts).
ARTIFACT_PATH_MAX_LENGTH = 1024
ARTIFACT_PATH_MAX_SEGMENT = 255
ARTIFACT_PATH_MAX_DEPTH = 32


def check_artifact_path(argument, path):
    """A run's artifact path as the store accepts it (relative, ``/``-separated, no ``.``/``..``/empty segments, no
    backslash or control characters): checked at the call so an escaping path fails where it was written."""
    if not isinstance(path, str):
        raise InvalidArgumentError(argument, "must be a string, got %s" % describe(path))
    if path == "":
        raise InvalidArgumentError(argument, "is empty")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        raise InvalidArgumentError(argument, "contains a NUL or control character")
    if "\\" in path:
        raise InvalidArgumentError(argument, "contains a backslash; use / between segments: %r" % path[:100])
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise InvalidArgumentError(argument, "must be relative to the run's artifact root, got %r" % path[:100])
    if len(path) > ARTIFACT_PATH_MAX_LENGTH:
        raise InvalidArgumentError(argument, "is %d characters; at most %d" % (len(path), ARTIFACT_PATH_MAX_LENGTH))
    segments = path.split("/")
    if len(segments) > ARTIFACT_PATH_MAX_DEPTH:
        raise InvalidArgumentError(argument, "has %d segments; at most %d" % (len(segments), ARTIFACT_PATH_MAX_DEPTH))
    for s in segments:
        if s in ("", ".", ".."):
            raise InvalidArgumentError(argument, "must not contain %s segments (it would escape or blur the run's artifact root): %r" % ("empty" if s == "" else "'%s'" % s, path[:100]))
        if len(s) > ARTIFACT_PATH_MAX_SEGMENT:
            raise InvalidArgumentError(argument, "has a segment of %d characters; at most %d" % (len(s), ARTIFACT_PATH_MAX_SEGMENT))
    return path
