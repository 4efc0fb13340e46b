"""Runs ClickHouse statements through chdb (a current ClickHouse engine, in-process) and reports each outcome.

stdin: {"statements": ["...", ...]}  stdout: {"version": "...", "results": [{"ok": true, "rows": [...]}, {"ok": false, "error": "..."}]}
A statement that returns rows is read as JSONEachRow. Used by packages/clickhouse/src/ddl-compat.int.test.ts.
"""
import json
import sys
import tempfile


def ints_as_strings(value):
    # JavaScript's JSON.parse rounds integers past 2^53; the test compares decimal strings instead.
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return [ints_as_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: ints_as_strings(v) for k, v in value.items()}
    return value

from chdb.session import Session


def main():
    request = json.load(sys.stdin)
    with tempfile.TemporaryDirectory() as path:
        session = Session(path)
        results = []
        for statement in request["statements"]:
            try:
                text = statement.strip()
                is_read = text.upper().startswith("SELECT")
                out = session.query(text, "JSONEachRow" if is_read else "CSV")
                body = out.bytes().decode("utf-8") if out is not None else ""
                rows = [ints_as_strings(json.loads(line)) for line in body.splitlines() if line.strip()] if is_read else []
                results.append({"ok": True, "rows": rows})
            except Exception as exc:  # every failure is reported, not raised: the test names the statement
                results.append({"ok": False, "error": str(exc)})
        version = session.query("SELECT version()", "CSV").bytes().decode().strip().strip('"')
        session.close()
    json.dump({"version": version, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
