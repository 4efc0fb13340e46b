"""Reproducibility capture for run_started (as packages/sdk/src/context.ts): git, entry point, argv, Python and
installed package versions, host, and the environment minus secrets. Never raises: a missing piece is None."""
import getpass
import json
import os
import platform
import socket
import subprocess
import sys

from . import _limits as L
from ._secrets import filter_env, redact_argv

MAX_DEPENDENCIES = 300
MAX_CONTEXT_ENTRIES = 1000


def _cut(v, limit):
    return v if len(v) <= limit else v[: limit - 12] + "…[truncated]"


def _git(cwd, *args):
    try:
        out = subprocess.run(["git", "-C", cwd] + list(args), capture_output=True, timeout=3, text=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def git_info(cwd):
    root = _git(cwd, "rev-parse", "--show-toplevel")
    if root is None:
        return None
    commit = _git(cwd, "rev-parse", "HEAD")
    branch = _git(cwd, "rev-parse", "--abbrev-ref", "HEAD")
    status = _git(cwd, "status", "--porcelain", "--untracked-files=no")
    return {"root": root, "commit": commit, "branch": None if branch == "HEAD" else branch, "dirty": None if status is None else len(status) > 0}


def package_versions():
    try:
        from importlib import metadata
    except ImportError:  # pragma: no cover - Python < 3.8
        return []
    seen = {}
    try:
        for dist in metadata.distributions():
            name = dist.metadata.get("Name") if dist.metadata else None
            if name and name.lower() not in seen:
                seen[name.lower()] = (name, dist.version or "")
    except Exception:  # noqa: BLE001 - a broken installed package must not stop a run
        pass
    return sorted(seen.values(), key=lambda nv: nv[0].lower())[:MAX_DEPENDENCIES]


def capture(argv=None, cwd=None, env=None, git=True):
    argv = list(sys.argv if argv is None else argv)
    cwd = cwd or os.getcwd()
    entry = os.path.abspath(os.path.join(cwd, argv[0])) if argv and argv[0] not in ("", "-c", "-m") else None
    info = git_info(os.path.dirname(entry) if entry and os.path.exists(entry) else cwd) if git else None
    context = {}

    def put(k, v):
        if len(k) > L.KEY_LENGTH or len(context) >= MAX_CONTEXT_ENTRIES:
            return
        context[k] = _cut(v, L.PARAM_VALUE_LENGTH)

    put("argv", json.dumps(redact_argv(argv[1:]), ensure_ascii=False))
    put("python_version", platform.python_version())
    put("python_implementation", platform.python_implementation())
    put("python_executable", sys.executable or "")
    put("platform", "%s-%s" % (sys.platform, platform.machine()))
    put("pid", str(os.getpid()))
    put("cwd", cwd)
    for name, version in package_versions():
        put("pkg." + name, version)
    if env is not None:
        for k, v in filter_env(env).items():
            put("env." + k, v)
    entry_point = None
    if entry:
        root = info["root"] if info else None
        entry_point = os.path.relpath(entry, root) if root and entry.startswith(root + os.sep) else entry
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001
        user = None
    host = socket.gethostname()
    source = {
        "git_commit": _cut(info["commit"], L.KEY_LENGTH) if info and info["commit"] else None,
        "git_branch": _cut(info["branch"], L.KEY_LENGTH) if info and info["branch"] else None,
        "git_dirty": info["dirty"] if info else None,
        "entry_point": _cut(entry_point, L.TAG_VALUE_LENGTH) if entry_point else None,
        "host": _cut(host, L.KEY_LENGTH) if host else None,
    }
    return source, (_cut(user, L.KEY_LENGTH) if user else None), context


EMPTY_SOURCE = {"git_commit": None, "git_branch": None, "git_dirty": None, "entry_point": None, "host": None}
