"""The answer cache stays within its memory bound whatever the keys, and identical requests in
flight share one answer (issue 18). Driven as WSGI, with an app that counts its calls."""
from __future__ import annotations

import threading
import time

from mineralgraph.server.answercache import MAX_KEY_BYTES, AnswerCache


class CountingApp:
    def __init__(self, delay: float = 0.0, body: bytes = b"answer"):
        self.calls, self.delay, self.body = 0, delay, body
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            self.calls += 1
        time.sleep(self.delay)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [self.body]


def _get(cache, path="/x", query="", accept="*/*"):
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status

    body = b"".join(cache({"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
                           "HTTP_ACCEPT": accept, "HTTP_HOST": "h", "wsgi.url_scheme": "http"},
                          start_response))
    return seen["status"], body


def test_unique_long_urls_do_not_grow_the_cache_past_its_bound():
    cache = AnswerCache(CountingApp(), lambda: "build", max_bytes=1 << 20)
    pad = "p" * 30_000  # the probe: /context.jsonld?pad=<30 KB>, each one unique
    for i in range(200):
        assert _get(cache, query=f"pad={pad}{i}")[0] == "200 OK"
    assert cache.stats()["entries"] == 0  # keys over MAX_KEY_BYTES are never kept
    for i in range(5000):  # short unique keys are kept, and their keys count against the bound
        _get(cache, query=f"pad={'q' * (MAX_KEY_BYTES // 2)}{i}")
    stats = cache.stats()
    assert stats["bytes"] <= 1 << 20
    assert 0 < stats["entries"] < 5000


def test_unique_huge_accept_headers_are_not_kept():
    cache = AnswerCache(CountingApp(), lambda: "build", max_bytes=1 << 20)
    for i in range(100):
        _get(cache, accept="text/plain;q=0.9," + "x" * 100_000 + str(i))
    assert cache.stats()["entries"] == 0


def test_identical_requests_in_flight_share_one_answer():
    app = CountingApp(delay=0.5)
    cache = AnswerCache(app, lambda: "build", max_bytes=1 << 20)
    results = []
    threads = [threading.Thread(target=lambda: results.append(_get(cache, "/id/mechanism/msp")))
               for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(results) == 32 and all(r == ("200 OK", b"answer") for r in results)
    assert app.calls == 1
    assert cache.stats()["shared"] >= 30


def test_an_answer_read_without_finishing_its_iterator_is_kept_and_shared():
    # A WSGI server (or Flask's test client) may read an answer's bytes and close the iterator
    # late or never: the answer is kept and a duplicate is not held up waiting for that.
    app = CountingApp(body=b"page")
    cache = AnswerCache(app, lambda: "build", max_bytes=1 << 20)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/p", "QUERY_STRING": "", "HTTP_ACCEPT": "*/*",
               "HTTP_HOST": "h", "wsgi.url_scheme": "http"}
    first = iter(cache(dict(environ), lambda *a: None))
    assert next(first) == b"page"  # every byte read; the iterator left open
    started = time.monotonic()
    assert _get(cache, path="/p") == ("200 OK", b"page")
    assert time.monotonic() - started < 1 and app.calls == 1 and cache.stats()["entries"] == 1
