"""Sends what crashed or offline processes (of either SDK) left in the spool directory (as recovery.ts does).

Each file is claimed atomically first, its unacknowledged batches are sent in their original order, each success
is recorded in the file, and the file is deleted once empty."""
import json
import logging
import os
import threading

from ._delivery import DENIED_OUTCOME, STOPPED, Hooks, deliver
from ._spool import SpoolFile, claim_orphan_spools, dumps, hostname, safe_host
from .errors import AccessDeniedError

log = logging.getLogger("trackstream")


class _RecoveryHooks(Hooks):
    def __init__(self, base_ms, max_ms, max_attempts, stop_event, report, spool_dir):
        self.base_ms = base_ms
        self.max_ms = max_ms
        self.max_attempts = max_attempts
        self.stop_event = stop_event
        self.report = report
        self.spool_dir = spool_dir
        self.attempts = 0
        self.rejected = 0

    def stopped(self):
        return self.stop_event.is_set() or self.attempts >= self.max_attempts

    def sleep(self, ms):
        return not self.stop_event.wait(ms / 1000.0)

    def on_retry(self, result, attempt, delay_ms):
        self.attempts += 1
        log.warning("trackstream: gateway refused a recovered batch (%s), retrying", result.reason[:200])

    def on_denied(self, result):
        self.report["denied"] = AccessDeniedError(result.status, result.code, result.denial_reason, result.message)

    def on_rejected(self, events, problems):
        self.report["rejected_events"] += len(events)
        self.rejected += len(events)
        try:
            path = os.path.join(self.spool_dir, "rejected.%s.%d.jsonl" % (safe_host(hostname()), os.getpid()))
            with open(path, "a", encoding="utf-8") as f:
                probs = json.dumps(problems, separators=(",", ":"))
                for e in events:
                    f.write('{"event":%s,"problems":%s}\n' % (e, probs))
        except OSError:
            log.exception("trackstream: could not write the rejected file")


def recover_spools(directory, url, transport, base_ms=250, max_ms=30000, max_attempts_per_batch=8, stop_event=None):
    """Returns a report dict: files, sent_events, rejected_events, left_files, corrupt_records, torn_tail_bytes, denied."""
    stop_event = stop_event or threading.Event()
    report = {"files": 0, "sent_events": 0, "rejected_events": 0, "left_files": [], "corrupt_records": 0, "torn_tail_bytes": 0, "denied": None}
    for path in claim_orphan_spools(directory, url):
        report["files"] += 1
        if report["denied"] is not None:
            report["left_files"].append(path)
            continue
        try:
            spool, scan = SpoolFile.open(path)
        except OSError:
            log.exception("trackstream: could not open spool file %s", path)
            report["left_files"].append(path)
            continue
        report["corrupt_records"] += scan["corrupt"]
        report["torn_tail_bytes"] += scan["torn_tail_bytes"]
        if _send_file(spool, transport, base_ms, max_ms, max_attempts_per_batch, stop_event, report, directory):
            spool.remove()
        else:
            spool.close()
            report["left_files"].append(path)
    if report["files"]:
        log.info("trackstream: recovered spooled events: %s", report)
    return report


def _send_file(spool, transport, base_ms, max_ms, max_attempts, stop_event, report, directory):
    for seq in spool.pending_seqs():
        if stop_event.is_set():
            return False
        try:
            wire = [dumps(e) for e in spool.read_batch(seq)]
        except (OSError, ValueError):
            log.exception("trackstream: unreadable spool batch %d skipped in %s", seq, spool.path)
            report["corrupt_records"] += 1
            spool.append_ack([seq])
            continue
        hooks = _RecoveryHooks(base_ms, max_ms, max_attempts, stop_event, report, directory)
        outcome = deliver(transport, wire, hooks)
        if outcome in (STOPPED, DENIED_OUTCOME):
            return False
        spool.append_ack([seq])
        report["sent_events"] += len(wire) - hooks.rejected
    return True
