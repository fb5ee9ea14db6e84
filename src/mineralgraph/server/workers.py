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
import hashlib
import logging
import os
import pickle
import queue
import signal
import socket
import struct
import sys
import threading
import time
import traceback
from multiprocessing.connection import Connection

import pyoxigraph as ox

from mineralgraph.store import evaluate

from . import sandbox
from .limits import Busy, EngineAborted, QueryTimeout, WorkerCrashed

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


def _vm_size() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def private_bytes(pid: int) -> int | None:
    """Memory a worker has written itself (Private_Dirty): its own allocations, not the store
    pages it shares copy-on-write with the zygote. None when it cannot be read."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Private_Dirty:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _limit_address_space(extra: int) -> None:
    # A hard ceiling: an allocation past it fails at once (the engine then aborts the worker,
    # which the pool replaces) instead of the host's OOM killer choosing a victim.
    if extra <= 0:
        return
    try:
        import resource

        limit = _vm_size() + WORKER_STACK + extra
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass


def _worker_main(fd: int, store, store_path, zygote: int, memory_limit: int) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    _die_with_parent(zygote)
    _limit_address_space(memory_limit * 2)  # the ceiling; the pool recycles past memory_limit
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


def _zygote_main(ctl: socket.socket, store, store_path, server: int, isolate: bool, memory_limit: int) -> None:
    _child_signals()
    _die_with_parent(server)
    if isolate:
        why_not = sandbox.isolate_network()  # workers inherit it (sandbox.py)
        if why_not:
            print(f"query workers keep network access: {why_not}", file=sys.stderr, flush=True)
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
                _worker_main(fds[0], store, store_path, me, memory_limit)
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
        # What the last look at its memory found (a forked worker starts with nothing of its own
        # and no page faults: the kernel zeroes a child's fault counters).
        self.memory_checked = float("-inf")  # monotonic time of that look
        self.private, self.faults = 0, 0


# Reading a worker's Private_Dirty (/proc/PID/smaps_rollup) walks its whole address space: 0.8 ms
# of the server's CPU on the seeds' store, 90 ms at 200 sources, and it was done after every
# answer. A page becomes the worker's own only through a page fault in it (a first touch, or a
# copy of a page it shared with the zygote), so its fault count, one small read of
# /proc/PID/stat, bounds how far it can have grown since the last look: the look is taken only
# when that bound passes the limit, or when the limit changes, or every MEMORY_CHECK_SECONDS
# whatever the bound says (a page can also become its own when every other process sharing it
# lets go of it). The RLIMIT_AS ceiling stops a runaway allocation at once regardless.
MEMORY_CHECK_SECONDS = 30.0


def _fault_bytes() -> int:
    """The most memory one page fault can make a worker's own: a page, or a huge page when the
    kernel gives them to every anonymous mapping (transparent_hugepage=always). With 'madvise'
    only regions that ask get them, and neither glibc's malloc (by default), Rust's allocator
    nor CPython ask."""
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            if "[always]" in f.read():
                return 2 << 20
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE")


FAULT_BYTES = _fault_bytes()


def page_faults(pid: int) -> int | None:
    """Page faults (minor and major) of process `pid` since it started; None when unreadable."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()  # after the command name, which may hold spaces
        return int(fields[7]) + int(fields[9])  # minflt, majflt (fields 10 and 12 of proc(5))
    except (OSError, ValueError, IndexError):
        return None


def may_exceed(private: int, faults_then: int, faults_now: int, limit: int) -> bool:
    """Can a worker that held `private` bytes of its own at `faults_then` hold more than `limit`
    at `faults_now`?"""
    return private + max(0, faults_now - faults_then) * FAULT_BYTES > limit


QUARANTINE_SIZE = 1024  # requests remembered as ones that abort the engine
RESPAWN_BACKOFF = (0.5, 1, 2, 4, 8, 15, 30)  # seconds between attempts to rebuild a broken pool


class WorkerPool:
    """`size` workers; at most `max_waiting` requests wait for one, the next is refused at once
    (Busy) rather than queued silently until its deadline.

    The pool heals: a watcher thread restarts a dead zygote and replaces missing workers (with
    back-off and a log line for each attempt); an idle worker is checked before use; a worker that
    dies on a request is replaced and the request tried once more on a fresh one, and if that one
    dies too the request is the cause (an engine abort): it is refused from then on (EngineAborted)
    without costing another worker. `problem` says why the pool cannot serve, for /readyz."""

    def __init__(self, store: ox.Store, size: int, store_path=None, max_waiting: int = 16,
                 isolate_network: bool = True, memory_limit: int = 0):
        self.size, self.max_waiting = size, max_waiting
        self.memory_limit = memory_limit  # bytes a worker may write before it is recycled; 0 = no limit
        self._store, self._store_path, self._isolate = store, store_path, isolate_network
        self.store_path = store_path  # None: the store is in memory, forked into the workers
        self._waiting = 0
        self._wait_lock = threading.Lock()
        self._ctl_lock = threading.Lock()
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._closed = False
        self._live = 0          # workers that exist (idle or busy)
        self._count_lock = threading.Lock()
        self._poison: dict[bytes, str] = {}
        self.problem: str | None = None
        self.restarts = 0
        self._start_zygote()
        for _ in range(size):
            self._idle.put(self._spawn())
        self._watcher = threading.Thread(target=self._watch, name="pool-watch", daemon=True)
        self._watcher.start()
        atexit.register(self.close)

    @property
    def memory_limit(self) -> int:
        return self._memory_limit

    @memory_limit.setter
    def memory_limit(self, limit: int) -> None:
        # A new limit applies to every worker at its next answer, whenever it was last looked at.
        self._memory_limit, self._memory_limit_set = limit, time.monotonic()

    def _over_memory(self, worker: _Worker) -> bool:
        """Does `worker` (idle, its answer just read) hold more than memory_limit of its own?
        Reads its memory map only when its page faults say it may (see MEMORY_CHECK_SECONDS)."""
        now = time.monotonic()
        faults = page_faults(worker.pid)
        if (faults is not None and worker.memory_checked >= self._memory_limit_set
                and now - worker.memory_checked < MEMORY_CHECK_SECONDS
                and not may_exceed(worker.private, worker.faults, faults, self.memory_limit)):
            return False
        worker.memory_checked, worker.faults = now, faults or 0
        worker.private = private_bytes(worker.pid) or 0
        return worker.private > self.memory_limit

    # -- zygote control ---------------------------------------------------------------
    def _start_zygote(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        server = os.getpid()
        pid = os.fork()
        if pid == 0:
            try:
                _close_inherited_fds(keep=theirs.fileno())
                _zygote_main(theirs, self._store, self._store_path, server, self._isolate, self.memory_limit)
            finally:
                os._exit(0)
        theirs.close()
        self.zygote_pid, self._ctl = pid, ours

    def _call_zygote(self, op: bytes, payload: bytes, fds=()) -> bytes:
        with self._ctl_lock:
            socket.send_fds(self._ctl, [op + struct.pack("!I", len(payload)) + payload], list(fds))
            size = struct.unpack("!I", _recv_exact(self._ctl, 4))[0]
            return _recv_exact(self._ctl, size)

    def _zygote_alive(self) -> bool:
        try:
            return os.waitpid(self.zygote_pid, os.WNOHANG)[0] == 0
        except ChildProcessError:
            return False

    def _spawn(self, counted: bool = True) -> _Worker:
        """A new worker, ready (it answered a ping). `counted=False` when it fills a slot that is
        still counted as live (a replacement)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            try:
                pid = struct.unpack("!i", self._call_zygote(_SPAWN, b"", [theirs.fileno()]))[0]
            except (OSError, EOFError, struct.error) as err:
                ours.close()
                raise RuntimeError(f"the zygote did not answer ({err or type(err).__name__})") from None
        finally:
            theirs.close()
        worker = _Worker(pid, Connection(ours.detach()))
        # A worker that cannot start (e.g. cannot open the store) must fail loudly, now.
        try:
            worker.conn.send(evaluate.Ping())
            if worker.conn.poll(60) and worker.conn.recv().get("ok"):
                if counted:
                    with self._count_lock:
                        self._live += 1
                return worker
        except (EOFError, OSError):
            pass
        self._kill(worker)
        raise RuntimeError("a query worker failed to start (see the traceback above)")

    def _kill(self, worker: _Worker) -> None:
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.conn.close()

    def _retire(self, worker: _Worker) -> None:
        self._kill(worker)
        with self._count_lock:
            self._live -= 1

    def _replace(self, worker: _Worker) -> None:
        # The slot stays counted while its successor starts: were it uncounted for that moment,
        # the watcher would see the pool short and fill it too (one worker over the size).
        self._kill(worker)
        if not self._closed:
            try:
                self._idle.put(self._spawn(counted=False))
                return
            except (RuntimeError, OSError) as err:  # the slot is given up; the watcher keeps trying
                self.problem = f"cannot start a query worker: {err}"
                log.error("%s; retrying in the background", self.problem)
        with self._count_lock:
            self._live -= 1

    # -- healing ----------------------------------------------------------------------
    def _watch(self) -> None:
        failures = 0
        while not self._closed:
            time.sleep(RESPAWN_BACKOFF[min(failures, len(RESPAWN_BACKOFF) - 1)] if failures else 0.5)
            if self._closed:
                return
            try:
                if not self._zygote_alive():
                    log.error("the query workers' zygote (pid %d) died; starting a new one", self.zygote_pid)
                    self.problem = "the query workers' zygote died; restarting it"
                    with self._ctl_lock:
                        self._ctl.close()
                    self._start_zygote()
                    self.restarts += 1
                while self._live < self.size and not self._closed:
                    self._idle.put(self._spawn())
                    log.info("query worker pool back to %d of %d workers", self._live, self.size)
                if self.problem:
                    log.info("query worker pool healed (%d workers)", self._live)
                self.problem, failures = None, 0
            except (RuntimeError, OSError) as err:
                failures += 1
                self.problem = f"cannot start query workers: {err}"
                log.error("%s (attempt %d; next in %g s)", self.problem, failures,
                          RESPAWN_BACKOFF[min(failures, len(RESPAWN_BACKOFF) - 1)])

    def health(self) -> str | None:
        """None when queries can be answered; else why not (for /readyz)."""
        if self._closed:
            return "stopping"
        if self._live == 0:
            return self.problem or "no query worker is running"
        return None

    # -- requests -------------------------------------------------------------------
    def run(self, request: evaluate.Request, timeout: float) -> tuple[dict, float]:
        """Answer `request` in a worker within `timeout` seconds (queueing included).

        Returns (answer, seconds spent waiting for a free worker). A request that aborted the
        engine in two workers raises EngineAborted, then and on every later try."""
        digest = _digest(request)
        if digest in self._poison:
            raise EngineAborted(self._poison[digest])
        started = time.monotonic()
        deadline = started + timeout
        try:
            return self._run_once(request, deadline, started, timeout)
        except WorkerCrashed:
            pass  # the worker may have been killed from outside: once more, on a fresh one
        try:
            return self._run_once(request, deadline, started, timeout)
        except WorkerCrashed as err:
            reason = ("the query engine aborted while evaluating this query, twice, each time ending "
                      "its worker process (an engine limit or bug, not a fault of the server)")
            if len(self._poison) < QUARANTINE_SIZE:
                self._poison[digest] = reason
            raise EngineAborted(reason) from err

    def _run_once(self, request: evaluate.Request, deadline: float, started: float, timeout: float) -> tuple[dict, float]:
        worker = self._take(max(0.0, deadline - time.monotonic()))
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
        elif self.memory_limit and self._over_memory(worker):
            log.info("recycling worker %d: it holds more than %d MB of its own memory",
                     worker.pid, self.memory_limit >> 20)
            self._replace(worker)
        else:
            self._idle.put(worker)
        return answer, waited

    @property
    def closed(self) -> bool:
        return self._closed

    def _take_idle(self, block: bool, timeout: float | None = None) -> _Worker:
        """An idle worker that is still alive: a worker killed while idle has its socket readable
        (EOF), so it is replaced rather than handed a request."""
        while True:
            worker = self._idle.get(block=block, timeout=timeout)
            if not worker.conn.poll(0):
                return worker
            log.error("idle worker %d is gone; replacing it", worker.pid)
            self._replace(worker)

    def _take(self, timeout: float) -> _Worker:
        try:
            return self._take_idle(block=False)
        except queue.Empty:
            pass
        if self._live == 0 and self.problem:
            raise Busy(f"no query worker is running ({self.problem})")
        with self._wait_lock:
            if self._waiting >= self.max_waiting:
                raise Busy(f"all {self.size} query workers are busy and {self._waiting} requests are "
                           "already waiting")
            self._waiting += 1
        try:
            return self._take_idle(block=True, timeout=timeout)
        except queue.Empty:
            raise Busy(f"no query worker became free within {timeout:g} s"
                       + (f" ({self.problem})" if self.problem else "")) from None
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


def _digest(request) -> bytes:
    return hashlib.sha256(pickle.dumps(request)).digest()
