"""Process-exit safety net shared by every client: atexit, SIGTERM, and fork().

* atexit (normal exit, an uncaught exception, Ctrl-C's KeyboardInterrupt): open runs are ended (FINISHED, FAILED
  after an uncaught exception, KILLED after KeyboardInterrupt), the gateway gets ``exit_timeout`` seconds, the rest
  is spooled.
* SIGTERM, when the application has not installed its own handler: open runs end KILLED, everything is spooled
  synchronously, then the default action runs (the process dies of SIGTERM as it would have).
* fork(): the child forgets the parent's buffer, queue, spool file and threads, so a data-loader worker never
  sends or spools the parent's events twice; a child that logs gets a pipeline of its own.
"""
import atexit
import os
import signal
import sys
import threading
import weakref

_clients = weakref.WeakSet()
_installed = False
_exit_status = ["FINISHED"]
_prev_excepthook = None


def _excepthook(exc_type, exc, tb):
    _exit_status[0] = "KILLED" if issubclass(exc_type, KeyboardInterrupt) else "FAILED"
    (_prev_excepthook or sys.__excepthook__)(exc_type, exc, tb)


def _at_exit():
    for c in list(_clients):
        try:
            c._at_exit(_exit_status[0])
        except Exception:  # noqa: BLE001 - never mask the program's own exit
            pass


def _on_sigterm(signum, frame):
    for c in list(_clients):
        try:
            c._on_signal("KILLED")
        except Exception:  # noqa: BLE001
            pass
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _before_fork():
    for c in list(_clients):
        c._pipeline.before_fork()


def _after_fork_parent():
    for c in list(_clients):
        c._pipeline.after_fork_in_parent()


def _after_fork_child():
    for c in list(_clients):
        c._after_fork_in_child()


def _install():
    global _installed, _prev_excepthook
    if _installed:
        return
    _installed = True
    atexit.register(_at_exit)
    _prev_excepthook = sys.excepthook
    sys.excepthook = _excepthook
    if threading.current_thread() is threading.main_thread():
        try:
            if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
                signal.signal(signal.SIGTERM, _on_sigterm)
        except (ValueError, OSError):
            pass


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_parent, after_in_child=_after_fork_child)


def register(client):
    _clients.add(client)
    if client._opts.exit_hooks:
        _install()


def unregister(client):
    _clients.discard(client)
