"""Query workers: the only way to stop a pyoxigraph query is to kill the process running it.

Layout: the server process forks one *zygote* right after the store is loaded (before any
server thread exists). The zygote is single-threaded and only forks workers on request, so
every worker gets the loaded store copy-on-write, and forking never happens from a
multithreaded process. A worker answers one request at a time over a socket; a worker that
misses the deadline is SIGKILLed and the zygote forks a fresh one (a few ms).

On-disk stores are not shared across fork (RocksDB state); each worker opens the store
read-only itself.

Process life: the zygote and every worker ask the kernel to kill them when their parent dies
(PR_SET_PDEATHSIG), so no worker outlives the server, however the server ends (even SIGKILL).
A worker parses and evaluates on a thread with a 512 MB stack (reserved, touched only as used):
the engine's parser is recursive, and on the default 8 MB stack a query a few thousand levels
deep would overflow it and kill the worker. querytext.check_shape keeps queries far below what
the large stack holds.
"""
from __future__ import annotations

import atexit
import ctypes
import logging
import os
import pickle
import queue
import signal
import socket
import struct
import threading
import time
import traceback
from multiprocessing.connection import Connection

import pyoxigraph as ox

from mineralgraph.store import evaluate

from .limits import Busy, QueryTimeout, WorkerCrashed

log = logging.getLogger("mineralgraph.workers")

_SPAWN = b"S"  # the only zygote command: fork a worker (the served graph is read-only)
WORKER_STACK = 512 << 20
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when its parent `parent` exits (Linux; elsewhere a
    no-op, and the EOF on the control socket still ends it)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def _child_signals():
    # Ctrl-C goes to the whole process group; only the server process should react to it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _worker_main(fd: int, store, store_path, zygote: int) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    _die_with_parent(zygote)
    threading.stack_size(WORKER_STACK)
    failed = []
    serving = threading.Thread(target=_serve_requests, args=(fd, store, store_path, failed), name="query")
    serving.start()
    serving.join()
    if failed:
        raise failed[0]


def _serve_requests(fd: int, store, store_path, failed: list) -> None:
    try:
        _answer_loop(fd, store, store_path)
    except BaseException as err:  # re-raised on the main thread, which reports it
        failed.append(err)


def _answer_loop(fd: int, store, store_path) -> None:
    if store_path is not None:
        store = ox.Store.read_only(str(store_path))
    conn = Connection(fd)
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return  # server went away
        try:
            answer = evaluate.handle(store, req)
        except Exception as err:  # never let one bad request kill the worker silently
            answer = {"error": "evaluation", "message": f"{type(err).__name__}: {err}"}
        conn.send(answer)


def _zygote_main(ctl: socket.socket, store, store_path, server: int) -> None:
    _child_signals()
    _die_with_parent(server)
    me = os.getpid()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped automatically
    while True:
        try:
            head, fds, _, _ = socket.recv_fds(ctl, 5, 1)
            if not head:
                raise EOFError
            head += _recv_exact(ctl, 5 - len(head))
            _recv_exact(ctl, struct.unpack("!I", head[1:])[0])
        except (EOFError, OSError):
            _wait_for_workers()  # server went away or retired this pool: let running queries finish
            return
        if head[:1] != _SPAWN:
            return  # not a command we know: the server is broken, stop rather than guess
        pid = os.fork()
        if pid == 0:
            ctl.close()
            try:
                _worker_main(fds[0], store, store_path, me)
            except BaseException:
                traceback.print_exc()  # stderr is the server's: the failure stays visible
            finally:
                os._exit(0)
        os.close(fds[0])
        reply = struct.pack("!i", pid)
        ctl.sendall(struct.pack("!I", len(reply)) + reply)


def _wait_for_workers() -> None:
    # With SIGCHLD ignored, waitpid blocks until every child has ended, then raises ECHILD. A
    # worker ends when the server closes its connection; exiting first would have the kernel
    # kill the workers still answering (PR_SET_PDEATHSIG).
    try:
        while True:
            os.waitpid(-1, 0)
    except ChildProcessError:
        pass


def _close_inherited_fds(keep: int) -> None:
    # Another pool's sockets (or the server's listening socket) must not live on in this
    # zygote: the other side would never see EOF.
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))


class _Worker:
    def __init__(self, pid: int, conn: Connection):
        self.pid, self.conn = pid, conn


class WorkerPool:
    """`size` workers; at most `max_waiting` requests wait for one, the next is refused at once
    (Busy) rather than queued silently until its deadline."""

    def __init__(self, store: ox.Store, size: int, store_path=None, max_waiting: int = 16):
        self.size, self.max_waiting = size, max_waiting
        self._waiting = 0
        self._wait_lock = threading.Lock()
        self._ctl_lock = threading.Lock()
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._closed = False
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        server = os.getpid()
        self.zygote_pid = os.fork()
        if self.zygote_pid == 0:
            try:
                _close_inherited_fds(keep=theirs.fileno())
                _zygote_main(theirs, store, store_path, server)
            finally:
                os._exit(0)
        theirs.close()
        self._ctl = ours
        for _ in range(size):
            self._idle.put(self._spawn())
        atexit.register(self.close)

    # -- zygote control ---------------------------------------------------------------
    def _call_zygote(self, op: bytes, payload: bytes, fds=()) -> bytes:
        with self._ctl_lock:
            socket.send_fds(self._ctl, [op + struct.pack("!I", len(payload)) + payload], list(fds))
            size = struct.unpack("!I", _recv_exact(self._ctl, 4))[0]
            return _recv_exact(self._ctl, size)

    def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            pid = struct.unpack("!i", self._call_zygote(_SPAWN, b"", [theirs.fileno()]))[0]
        finally:
            theirs.close()
        worker = _Worker(pid, Connection(ours.detach()))
        # A worker that cannot start (e.g. cannot open the store) must fail loudly, now.
        try:
            worker.conn.send(evaluate.Ping())
            if worker.conn.poll(60) and worker.conn.recv().get("ok"):
                return worker
        except (EOFError, OSError):
            pass
        self._retire(worker)
        raise RuntimeError("a query worker failed to start (see the traceback above)")

    def _retire(self, worker: _Worker) -> None:
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.conn.close()

    def _replace(self, worker: _Worker) -> None:
        self._retire(worker)
        if not self._closed:
            self._idle.put(self._spawn())

    # -- requests -------------------------------------------------------------------
    def run(self, request: evaluate.Request, timeout: float) -> tuple[dict, float]:
        """Answer `request` in a worker within `timeout` seconds (queueing included).

        Returns (answer, seconds spent waiting for a free worker)."""
        started = time.monotonic()
        deadline = started + timeout
        worker = self._take(timeout)
        waited = time.monotonic() - started
        try:
            worker.conn.send(request)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                log.warning("query exceeded %.3g s; killing worker %d", timeout, worker.pid)
                self._replace(worker)
                raise QueryTimeout(f"query exceeded the {timeout:g} s time limit and was stopped")
            answer = worker.conn.recv()
        except (EOFError, OSError, pickle.PickleError) as err:
            log.error("worker %d failed: %s", worker.pid, err)
            self._replace(worker)
            raise WorkerCrashed("the query worker stopped unexpectedly") from err
        if self._closed and not self._waiting:
            self._retire(worker)  # a retired pool (hot reload): its last query is done
        else:
            self._idle.put(worker)
        return answer, waited

    @property
    def closed(self) -> bool:
        return self._closed

    def _take(self, timeout: float) -> _Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._wait_lock:
            if self._waiting >= self.max_waiting:
                raise Busy(f"all {self.size} query workers are busy and {self._waiting} requests are "
                           "already waiting")
            self._waiting += 1
        try:
            return self._idle.get(timeout=timeout)
        except queue.Empty:
            raise Busy(f"no query worker became free within {timeout:g} s") from None
        finally:
            with self._wait_lock:
                self._waiting -= 1

    def retire(self) -> None:
        """Stop taking new work but let running queries finish (hot reload): idle workers go now,
        busy ones when their answer is in; the zygote ends after the last of them."""
        if self._closed:
            return
        self._closed = True
        self._retire_idle()
        self._ctl.close()
        threading.Thread(target=os.waitpid, args=(self.zygote_pid, 0), daemon=True).start()

    def _retire_idle(self) -> None:
        while True:
            try:
                self._retire(self._idle.get_nowait())
            except queue.Empty:
                break

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._retire_idle()
        self._ctl.close()  # the zygote sees EOF and exits; busy workers see EOF when released
        for _ in range(100):
            try:
                if os.waitpid(self.zygote_pid, os.WNOHANG)[0]:
                    return
            except ChildProcessError:
                return
            time.sleep(0.02)
        os.kill(self.zygote_pid, signal.SIGKILL)
        os.waitpid(self.zygote_pid, 0)
