"""The alternative to the SDK's sealer thread, built only to measure it (issue 17: thread or separate process).

log() validates as the SDK does, then packs (key id, value) pairs into a shared-memory buffer; a child process
decodes them, serializes the events with the SDK's own serializer and appends them to a spool file, so the work that
competes for the GIL in the thread design happens in another interpreter. New keys travel once over a pipe. The
buffer is linear (no wrap-around): enough for a benchmark, not a product.
"""
import multiprocessing as mp
import os
import struct
import time
from multiprocessing import shared_memory

from trackstream._validate import check_key, metric_value
from trackstream._wire import metrics_envelope_prefix, serialize_metrics

_HEAD = struct.Struct("<QQ")  # write position, read position (bytes after the 16-byte header)
_REC = struct.Struct("<IQQ")  # points, step, timestamp


def _consume(shm_name, keys_conn, out_path, stop):
    shm = shared_memory.SharedMemory(name=shm_name)
    buf = shm.buf
    keys = []
    pos = 0
    seq = 0
    with open(out_path, "w", encoding="utf-8") as out:
        while True:
            write_pos = _HEAD.unpack_from(buf, 0)[0]
            if write_pos == pos:
                if stop.is_set() and _HEAD.unpack_from(buf, 0)[0] == pos:
                    break
                time.sleep(0.002)
                continue
            while keys_conn.poll():
                keys.extend(keys_conn.recv())
            points = []
            while pos < write_pos:
                n, step, ts = _REC.unpack_from(buf, 16 + pos)
                pos += _REC.size
                flat = struct.unpack_from("<" + "Id" * n, buf, 16 + pos)
                pos += 12 * n
                for i in range(0, 2 * n, 2):
                    points.append((keys[flat[i]], flat[i + 1], step, ts))
            for i in range(0, len(points), 1000):
                seq += 1
                prefix = metrics_envelope_prefix("e-%d" % seq, "bench", "exp", "run-bench", points[i][3])
                out.write(serialize_metrics(prefix, points[i : i + 1000]) + "\n")
            struct.pack_into("<Q", buf, 8, pos)
    del buf
    shm.close()


class ProcessSenderRun:
    def __init__(self, out_path, size=256 * 1024 * 1024):
        self._shm = shared_memory.SharedMemory(create=True, size=size)
        self._buf = self._shm.buf
        _HEAD.pack_into(self._buf, 0, 0, 0)
        self._pos = 0
        self._ids = {}
        self._fmt = {}
        self._keys_parent, keys_child = mp.Pipe()
        self._stop = mp.Event()
        self.proc = mp.get_context("fork").Process(target=_consume, args=(self._shm.name, keys_child, out_path, self._stop), daemon=True)
        self.proc.start()

    def log(self, metrics, step):
        ids = self._ids
        flat = []
        new = None
        for k, v in metrics.items():
            i = ids.get(k)
            if i is None:
                check_key("metrics key", k)
                i = ids[k] = len(ids)
                new = new or []
                new.append(k)
            flat.append(i)
            flat.append(v if type(v) is float else metric_value("metrics[%r]" % (k,), v))
        if new:
            self._keys_parent.send(new)
        n = len(metrics)
        fmt = self._fmt.get(n)
        if fmt is None:
            fmt = self._fmt[n] = struct.Struct("<IQQ" + "Id" * n)
        fmt.pack_into(self._buf, 16 + self._pos, n, step, int(time.time() * 1000), *flat)
        self._pos += fmt.size
        struct.pack_into("<Q", self._buf, 0, self._pos)

    def drain(self, timeout=60):
        """Waits until the child has consumed everything logged so far."""
        deadline = time.monotonic() + timeout
        while _HEAD.unpack_from(self._buf, 0)[1] != self._pos and time.monotonic() < deadline:
            time.sleep(0.005)

    def child_cpu_s(self):
        """utime + stime of the child so far (from /proc)."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self):
        self._stop.set()
        self.proc.join(60)
        del self._buf
        self._shm.close()
        self._shm.unlink()
