"""``trackstream-py sync``: the Python twin of ``trackstream sync`` (same spool, same rules, same exit status)."""
import argparse
import logging
import os
import sys

from ._recovery import recover_spools
from ._spool import default_spool_dir
from ._transport import HttpTransport


def main(argv=None):
    parser = argparse.ArgumentParser(prog="trackstream-py", description="Trackstream Python SDK tools")
    sub = parser.add_subparsers(dest="command")
    sync = sub.add_parser("sync", help="send the spools that crashed or offline processes left (either SDK's)")
    sync.add_argument("--url", default=os.environ.get("TRACKSTREAM_URL", "http://127.0.0.1:8080"))
    sync.add_argument("--dir", default=os.environ.get("TRACKSTREAM_SPOOL_DIR") or default_spool_dir())
    sync.add_argument("--any-url", action="store_true", help="also send spools written for another gateway URL")
    sync.add_argument("--attempts", type=int, default=8, help="failed attempts per batch before leaving a file")
    args = parser.parse_args(argv)
    if args.command != "sync":
        parser.print_help()
        return 2
    if args.attempts < 1:
        parser.error("--attempts needs a positive integer")
    logging.basicConfig(level=os.environ.get("TRACKSTREAM_LOG_LEVEL", "INFO").upper(), stream=sys.stderr)
    token = (os.environ.get("TRACKSTREAM_TOKEN") or "").strip() or None
    try:
        transport = HttpTransport(args.url, token=token)
    except ValueError as e:
        parser.error(str(e))
    try:
        r = recover_spools(args.dir, None if args.any_url else args.url, transport, max_attempts_per_batch=args.attempts)
    finally:
        transport.close()
    left = ("; left for later: " + ", ".join(r["left_files"])) if r["left_files"] else ""
    print(
        "trackstream sync: %d spool file(s), %d event(s) sent, %d rejected, %d damaged record(s) skipped%s"
        % (r["files"], r["sent_events"], r["rejected_events"], r["corrupt_records"], left)
    )
    if r["denied"] is not None:
        print("trackstream sync: %s" % r["denied"], file=sys.stderr)
    return 1 if r["left_files"] else 0


if __name__ == "__main__":
    sys.exit(main())
