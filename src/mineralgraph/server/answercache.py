"""Whole answers kept in memory and sent again without running Flask, a view or a query worker.

The served graph is read-only: a GET's answer is a function of the build, the URL and the request
headers it varies on (caching.py builds the ETag from the same things). So the first 200 answer
to a GET is kept, keyed by the build hash, the URL, Accept and Host, and every later identical
request gets those bytes back. Conditional requests (If-None-Match / If-Modified-Since) go
through to caching.py, which answers 304. Errors and uncacheable answers (Cache-Control:
no-store, e.g. /healthz) are never kept. Memory is bounded: least recently used answers are
dropped beyond `max_bytes`, and an answer larger than an eighth of it is not kept.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
PER_REQUEST_HEADERS = {"server-timing"}  # measured for the request that computed the answer


class AnswerCache:
    """WSGI middleware in front of the Flask app. `build_hash()` names the data being served."""

    def __init__(self, app, build_hash, max_bytes: int):
        self.app, self.build_hash, self.max_bytes = app, build_hash, max_bytes
        self.max_entry = max_bytes // 8
        self._entries: OrderedDict[tuple, tuple[str, list, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def _key(self, environ) -> tuple | None:
        if self.max_bytes <= 0 or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        if any(environ.get(h) for h in CONDITIONAL):
            return None
        return (self.build_hash(), environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST", ""),
                environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
                environ.get("HTTP_ACCEPT", ""))

    def __call__(self, environ, start_response):
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
        if entry is not None:
            status, headers, body = entry
            start_response(status, headers + [("Server-Timing", "cache;desc=hit")])
            return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]
        self.misses += 1
        return self._fill(key, environ, start_response)

    def _fill(self, key, environ, start_response):
        seen = {}

        def _start(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.app(environ, _start)
        chunks, size, keep = [], 0, environ["REQUEST_METHOD"] == "GET"
        try:
            for chunk in result:
                if keep:
                    size += len(chunk)
                    keep = size <= self.max_entry
                    chunks.append(chunk) if keep else chunks.clear()
                yield chunk
        finally:
            if hasattr(result, "close"):
                result.close()
        if keep and self._cacheable(seen):
            self._store(key, seen["status"], seen["headers"], b"".join(chunks))

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
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (status, kept, body)
            self._size += len(body)
            while self._size > self.max_bytes and self._entries:
                _, (_, _, old) = self._entries.popitem(last=False)
                self._size -= len(old)

    def stats(self) -> dict:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._size, "hits": self.hits, "misses": self.misses}
