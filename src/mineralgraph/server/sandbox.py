"""Defence in depth for query workers: no network unless federation is switched on.

The SERVICE guard reads the query's tokens (querytext.py); should a query ever get past it, the
engine's HTTP client still finds no network. The zygote moves itself into a new, empty network
namespace before forking workers (Linux unshare(CLONE_NEWNET)): there is no interface but a
loopback that is down, so every connect() fails at once with "Network is unreachable". Workers
talk to the server over socketpairs, which namespaces do not touch. Cost: one system call at pool
start (about 2 ms), nothing per query. As root this needs no more; otherwise a user namespace is
created with it, where the kernel allows that. Where neither works (another OS, a locked-down
kernel) the pool runs without it and says so in the log and on /readyz.
"""
from __future__ import annotations

import ctypes
import os

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000


def isolate_network() -> str | None:
    """Leave the network: None when done, else the reason it could not be done."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        unshare = libc.unshare
    except (OSError, AttributeError) as err:
        return f"unshare() is not available here ({err})"
    if unshare(_CLONE_NEWNET) == 0:
        return None
    first = ctypes.get_errno()
    if unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0:  # unprivileged: only in a single-threaded process
        return None
    return f"unshare(CLONE_NEWNET) failed: {os.strerror(first)}; with a user namespace: {os.strerror(ctypes.get_errno())}"
