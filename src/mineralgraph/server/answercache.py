"""Whole answers kept in memory and sent again without running Flask, a view or a query worker.

The served graph is read-only: a GET's answer is a function of the build, the URL and the request
headers it varies on (caching.py builds the ETag from the same things). So the first 200 answer
to a GET is kept, keyed by the build hash, the URL, Accept and Host, and every later identical
request gets those bytes back. Conditional requests (If-None-Match / If-Modified-Since) go
through to caching.py, which answers 304. Errors and uncacheable answers (Cache-Control:
no-store, e.g. /healthz) are never kept. Memory is bounded: an entry counts its key and headers as
well as its body (unique 30 KB URLs once grew the server by 1.2 GB while the bodies counted a few
MB), a request whose key is over MAX_KEY_BYTES is never kept, least recently used answers are
dropped beyond `max_bytes`, and an answer larger than an eighth of it is not kept.

Single flight: identical requests that arrive while the first is still being answered wait for
it and get its bytes, instead of each taking a query worker (right after a start or a reload, 64
clients asking for one page used to get 46 x 503).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
MAX_KEY_BYTES = 4096  # URL + Accept + Host: real clients' keys are far shorter; longer ones are not kept
FOLLOWER_WAIT = 60.0  # seconds a duplicate request waits for the first (the query timeout bounds it first)
PER_REQUEST_HEADERS = {"server-timing"}  # measured for the request that computed the answer


class AnswerCache:
    """WSGI middleware in front of the Flask app. `build_hash()` names the data being served."""

    def __init__(self, app, build_hash, max_bytes: int):
        self.app, self.build_hash, self.max_bytes = app, build_hash, max_bytes
        self.max_entry = max_bytes // 8
        self._entries: OrderedDict[tuple, tuple[str, list, bytes, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._in_flight: dict[tuple, threading.Event] = {}
        self.hits = self.misses = self.shared = 0

    def _key(self, environ) -> tuple | None:
        if self.max_bytes <= 0 or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        if any(environ.get(h) for h in CONDITIONAL):
            return None
        key = (self.build_hash(), environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST", ""),
               environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
               environ.get("HTTP_ACCEPT", ""))
        return key if _key_bytes(key) <= MAX_KEY_BYTES else None

    def _lookup(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return entry

    def __call__(self, environ, start_response):
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        entry = self._lookup(key)
        if entry is not None:
            return self._send(entry, environ, start_response)
        return self._fill(key, environ, start_response)

    @staticmethod
    def _send(entry, environ, start_response) -> list[bytes]:
        status, headers, body, _ = entry
        start_response(status, headers + [("Server-Timing", "cache;desc=hit")])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _fill(self, key, environ, start_response):
        # Registered when the server starts reading the answer, so the finally below always
        # runs for a registration (a generator that never started never runs its finally).
        mine = threading.Event()
        with self._lock:
            first = self._in_flight.setdefault(key, mine)
        if first is not mine:  # the same request is being answered: wait for its bytes
            first.wait(FOLLOWER_WAIT)
            entry = self._lookup(key)
            if entry is not None:
                self.shared += 1
                yield from self._send(entry, environ, start_response)
            else:  # the first answer was an error or not cacheable: answer this one alone
                self.misses += 1
                result = self.app(environ, start_response)
                try:
                    yield from result
                finally:
                    if hasattr(result, "close"):
                        result.close()
            return

        def release() -> None:  # however the answer ends, the requests waiting on it go on
            with self._lock:
                if self._in_flight.get(key) is mine:
                    del self._in_flight[key]
            mine.set()

        try:
            entry = self._lookup(key)  # answered between our miss and our registration
            if entry is not None:
                release()
                yield from self._send(entry, environ, start_response)
            else:
                self.misses += 1
                yield from self._answer_and_keep(key, environ, start_response, release)
        finally:
            release()

    def _answer_and_keep(self, key, environ, start_response, release):
        seen = {}

        def _start(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, _start)
        try:
            # The answer is read up to the entry cap before the client gets any of it, so it is
            # kept and the waiting duplicates released as soon as it is complete, not when the
            # server happens to finish (or close) this generator.
            rest = iter(result)
            head, size, complete = [], 0, True
            for chunk in rest:
                head.append(chunk)
                size += len(chunk)
                if size > self.max_entry:
                    complete = False
                    break
            if complete and environ["REQUEST_METHOD"] == "GET" and self._cacheable(seen):
                self._store(key, seen["status"], seen["headers"], b"".join(head))
            release()
            yield from head
            del head
            if not complete:
                yield from rest
        finally:
            if hasattr(result, "close"):
                result.close()

    @staticmethod
    def _cacheable(seen: dict) -> bool:
        if not seen.get("status", "").startswith("200"):
            return False
        for name, value in seen["headers"]:
            lower = name.lower()
            if lower == "set-cookie" or (lower == "cache-control" and "no-store" in value):
                return False
        return True

    def _store(self, key, status: str, headers: list, body: bytes) -> None:
        kept = [(n, v) for n, v in headers if n.lower() not in PER_REQUEST_HEADERS]
        # What the entry really holds: its body, its key and its headers (plus a little per object).
        size = len(body) + _key_bytes(key) + sum(len(n) + len(v) for n, v in kept) + ENTRY_OVERHEAD
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (status, kept, body, size)
            self._size += size
            while self._size > self.max_bytes and self._entries:
                _, (_, _, _, old) = self._entries.popitem(last=False)
                self._size -= old

    def stats(self) -> dict:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._size, "hits": self.hits,
                    "misses": self.misses, "shared": self.shared}


ENTRY_OVERHEAD = 512  # the tuple, the dict slot, the header list: measured order of magnitude


def _key_bytes(key: tuple) -> int:
    return sum(len(part) for part in key if isinstance(part, str))
