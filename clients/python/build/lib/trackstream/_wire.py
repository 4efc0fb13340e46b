"""Events as JSON text, the form they travel in from sealing on (memory, spool, request)."""
import json
import math

from ._spool import dumps

_key_json_cache = {}


def _point_prefix(key):
    p = _key_json_cache.get(key)
    if p is None:
        p = '{"key":%s,"value":' % json.dumps(key, ensure_ascii=False)
        if len(_key_json_cache) < 10000:
            _key_json_cache[key] = p
    return p


def metric_value_json(v):
    """A double as the contract writes it: finite numbers as numbers, NaN/±Infinity as strings."""
    if math.isfinite(v):
        return repr(v)
    if v != v:
        return '"NaN"'
    return '"Infinity"' if v > 0 else '"-Infinity"'


def serialize_event(event):
    return dumps(event)


def serialize_metrics(envelope_prefix, points):
    """The JSON text of a metrics_logged event; ``points`` is a list of (key, value, step, timestamp)."""
    parts = []
    last = None
    tail = ""
    for key, value, step, ts in points:
        if (step, ts) != last:
            last = (step, ts)
            tail = ',"step":%d,"timestamp":%d}' % (step, ts)
        parts.append(_point_prefix(key) + metric_value_json(value) + tail)
    return envelope_prefix + ",".join(parts) + "]}}"


def metrics_envelope_prefix(event_id, project, experiment_id, run_id, occurred_at):
    return '{"event_id":%s,"type":"metrics_logged","project":%s,"experiment_id":%s,"run_id":%s,"occurred_at":%d,"payload":{"points":[' % (
        json.dumps(event_id),
        json.dumps(project),
        json.dumps(experiment_id),
        json.dumps(run_id),
        occurred_at,
    )


def batch_body(serialized):
    return ('{"events":[%s]}' % ",".join(serialized)).encode("utf-8")
