"""Who holds a pipeline's lease: this host, this process, and when the process started.

A holder string ``host:pid:start`` lets a later run on the same host see that the holder process
has died (``kill -9``, a power cut of the process) and take the lease over at once; a holder on
another host is trusted until its lease expires.
"""

from __future__ import annotations

import os
import socket

import psutil


def this_holder() -> str:
    """The holder string of the current process."""
    me = psutil.Process(os.getpid())
    return f"{socket.gethostname()}:{me.pid}:{me.create_time():.3f}"


def holder_gone(holder: str) -> bool:
    """True when ``holder`` names a process on this host that no longer runs."""
    host, _, rest = holder.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        process = psutil.Process(int(pid_text))
        alive = process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return True
    if not alive:
        return True
    return bool(started) and f"{process.create_time():.3f}" != started
