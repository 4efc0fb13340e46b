"""The spool: the on-disk format shared with the TypeScript SDK (packages/sdk/src/spool.ts, framing.ts).

One append-only file per process, ``ts.<host>.<pid>.<uuid>.spool``. Each record is a line: 8 hex digits of
CRC-32 over the JSON text, a space, the JSON text, ``\\n``. Three kinds of record:
  {"t":"h","v":1,"url":...,"host":...,"pid":...,"created":...}   header
  {"t":"b","s":<seq>,"n":<count>,"events":[...]}                  a batch of events in wire (JSON) form
  {"t":"a","s":[<seq>,...]}                                        those batches were acknowledged
Pending = batches without an ack. A line torn by a crash (no newline, bad checksum) is detected and skipped.
Either SDK's spool is read by the other and sent by ``trackstream sync``.
"""
import json
import os
import re
import socket
import time
import uuid
import zlib

FILE_PATTERN = re.compile(r"^ts\.(.+)\.(\d+)\.([0-9a-f-]{36})\.spool\Z")
_BATCH_HEAD = re.compile(rb'^\{"t":"b","s":(\d+),"n":(\d+),')
_HEX8 = re.compile(rb"^[0-9a-f]{8}\Z")


def dumps(value):
    """Compact JSON as JSON.stringify writes it (no spaces; non-ASCII kept as UTF-8)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def encode_record_text(text):
    body = text.encode("utf-8")
    return ("%08x " % zlib.crc32(body)).encode("ascii") + body + b"\n"


def encode_record(value):
    return encode_record_text(dumps(value))


def verify_line(line):
    """The JSON bytes of a line (without its newline) if the checksum verifies, else None."""
    if len(line) < 10 or line[8:9] != b" ":
        return None
    head = line[:8]
    if not _HEX8.match(head):
        return None
    body = line[9:]
    return body if zlib.crc32(body) == int(head, 16) else None


def safe_host(host):
    return re.sub(r"[^A-Za-z0-9-]", "-", host)[:64] or "host"


def hostname():
    return socket.gethostname()


def spool_file_name(host, pid, file_id):
    return "ts.%s.%d.%s.spool" % (safe_host(host), pid, file_id)


def parse_spool_file_name(name):
    m = FILE_PATTERN.match(name)
    return (m.group(1), int(m.group(2)), m.group(3)) if m else None


def default_spool_dir():
    return os.path.join(os.path.expanduser("~"), ".trackstream", "spool")


class SpoolFile:
    """An append-only spool file; only the process that created or claimed it writes to it."""

    def __init__(self, path, fd, size):
        self.path = path
        self._fd = fd
        self._size = size
        self._next_seq = 1
        self._slots = {}  # seq -> (offset, length, events)
        self._pending_events = 0

    @classmethod
    def create(cls, directory, url):
        os.makedirs(directory, exist_ok=True)
        host = hostname()
        path = os.path.join(directory, spool_file_name(host, os.getpid(), str(uuid.uuid4())))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        spool = cls(path, fd, 0)
        header = {"t": "h", "v": 1, "url": url, "host": safe_host(host), "pid": os.getpid(), "created": int(time.time() * 1000)}
        spool._write(encode_record(header))
        return spool

    @classmethod
    def open(cls, path):
        """Opens a claimed file: indexes its unacknowledged batches and cuts off a torn tail.

        Returns (spool, scan) where scan = {"header", "corrupt", "torn_tail_bytes"}.
        """
        with open(path, "rb") as f:
            data = f.read()
        acked = set()
        slots = {}
        header = None
        corrupt = 0
        max_seq = 0
        pos = 0
        good_end = 0
        while True:
            nl = data.find(b"\n", pos)
            if nl < 0:
                break
            line = data[pos:nl]
            body = verify_line(line)
            if body is None:
                corrupt += 1
            else:
                m = _BATCH_HEAD.match(body[:48])
                if m:
                    seq = int(m.group(1))
                    slots[seq] = (pos, nl + 1 - pos, int(m.group(2)))
                    max_seq = max(max_seq, seq)
                else:
                    try:
                        rec = json.loads(body.decode("utf-8"))
                    except ValueError:
                        rec = None
                        corrupt += 1
                    if isinstance(rec, dict):
                        if rec.get("t") == "h" and header is None:
                            header = rec
                        elif rec.get("t") == "a" and isinstance(rec.get("s"), list):
                            acked.update(int(s) for s in rec["s"])
            pos = nl + 1
            good_end = pos
        if good_end < len(data):
            os.truncate(path, good_end)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        spool = cls(path, fd, good_end)
        for seq, slot in slots.items():
            if seq in acked:
                continue
            spool._slots[seq] = slot
            spool._pending_events += slot[2]
        spool._next_seq = max_seq + 1
        return spool, {"header": header, "corrupt": corrupt, "torn_tail_bytes": len(data) - good_end}

    def append_batch_text(self, events):
        """Appends one batch of events (each already JSON text); returns its sequence number. sync() after a group."""
        seq = self._next_seq
        self._next_seq += 1
        buf = encode_record_text('{"t":"b","s":%d,"n":%d,"events":[%s]}' % (seq, len(events), ",".join(events)))
        offset = self._size
        self._write(buf)
        self._slots[seq] = (offset, len(buf), len(events))
        self._pending_events += len(events)
        return seq

    def append_ack(self, seqs):
        if not seqs:
            return
        self._write(encode_record({"t": "a", "s": list(seqs)}))
        for s in seqs:
            slot = self._slots.pop(s, None)
            if slot is not None:
                self._pending_events -= slot[2]

    def read_batch_text(self, seq):
        """The events of a pending batch, each as JSON text."""
        return [dumps(e) for e in self.read_batch(seq)]

    def read_batch(self, seq):
        slot = self._slots.get(seq)
        if slot is None:
            raise KeyError("spool %s has no pending batch %d" % (self.path, seq))
        offset, length, _ = slot
        with open(self.path, "rb") as f:
            f.seek(offset)
            buf = f.read(length)
        body = verify_line(buf[:-1] if buf.endswith(b"\n") else buf)
        if body is None:
            raise ValueError("spool %s batch %d failed its checksum" % (self.path, seq))
        return json.loads(body.decode("utf-8"))["events"]

    def pending_seqs(self):
        return sorted(self._slots)

    @property
    def pending_batches(self):
        return len(self._slots)

    @property
    def pending_events(self):
        return self._pending_events

    def sync(self):
        if self._fd is not None:
            os.fsync(self._fd)

    def close(self):
        if self._fd is None:
            return
        os.close(self._fd)
        self._fd = None

    def remove(self):
        self.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def abandon(self):
        """After fork(), in the child: forget the parent's file without touching it."""
        if self._fd is not None:
            try:
                os.close(self._fd)
            except OSError:
                pass
        self._fd = None

    def _write(self, buf):
        if self._fd is None:
            raise OSError("spool %s is closed" % self.path)
        view = memoryview(buf)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]
        self._size += len(buf)


def process_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _read_header_url(path):
    """(found, url): the url the file was written for, read from its header line."""
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False, None
    nl = head.find(b"\n")
    if nl < 0:
        return False, None
    body = verify_line(head[:nl])
    if body is None:
        return False, None
    try:
        h = json.loads(body.decode("utf-8"))
    except ValueError:
        return False, None
    if not isinstance(h, dict) or h.get("t") != "h":
        return False, None
    return True, h.get("url")


def claim_orphan_spools(directory, url, is_alive=process_alive):
    """Claims the spool files of dead processes on this host by an atomic rename to this process's pid.

    When two processes race for a file exactly one rename succeeds. ``url`` None claims files for any gateway.
    """
    host = safe_host(hostname())
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        return []
    me = os.getpid()
    claimed = []
    for name in names:
        parsed = parse_spool_file_name(name)
        if parsed is None:
            continue
        f_host, pid, file_id = parsed
        if f_host != host or pid == me or is_alive(pid):
            continue
        src = os.path.join(directory, name)
        if url is not None:
            found, file_url = _read_header_url(src)
            if found and file_url is not None and file_url != url:
                continue
        dst = os.path.join(directory, spool_file_name(host, me, file_id))
        try:
            os.rename(src, dst)
            claimed.append(dst)
        except FileNotFoundError:
            pass
    return claimed
