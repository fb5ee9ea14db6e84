"""HTTP caching for every GET and HEAD: ETag, Last-Modified, Cache-Control, and 304 answers to
If-None-Match / If-Modified-Since. One place for the whole app, not per route.

The served graph never changes while the process runs (read-only, loaded from one build), so a
response is a function of the build, the server's code and settings, the URL and the request
headers it varies on (Accept, and Host for pages that name the server's own URLs). The ETag is a
hash of exactly those, which lets a conditional request be answered with 304 before any view or
query runs. A new build (manifest `inputs_sha256`) or a new release changes every ETag.
"""
from __future__ import annotations

import hashlib
import json
import time
from email.utils import format_datetime, parsedate_to_datetime
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask, Response, request

from mineralgraph import __version__

# Answers that depend on the moment, not on the build: never cached, never 304.
UNCACHED_PATHS = ("/healthz", "/readyz")
# The dump listing grows within a build: a dump the build left for later gets its size and sha256
# once a request has made it (publish/dumpcache.py). The files themselves do not change.
UNCACHED_EXACT = ("/dump", "/dump/", "/dump/SHA256SUMS")
# The data changes only when a new build is deployed; caches revalidate (cheaply, by 304) after
# five minutes. Vendored static files change only with a release.
CACHE_CONTROL = "public, max-age=300"
STATIC_CACHE_CONTROL = "public, max-age=86400"
VARY_ON = ("Accept", "Host")


def build_identity(dist_dir: Path | None) -> tuple[str, datetime]:
    """(build hash, build time): the manifest's inputs_sha256 and the manifest file's mtime.
    Without a manifest, the server's start time stands for both (each start is a new build)."""
    started = datetime.now(timezone.utc).replace(microsecond=0)
    if dist_dir is None:
        return f"unbuilt-{time.time_ns()}", started
    manifest = Path(dist_dir) / "manifest.json"
    try:
        digest = json.loads(manifest.read_text(encoding="utf-8")).get("inputs_sha256")
        built = datetime.fromtimestamp(int(manifest.stat().st_mtime), timezone.utc)
    except (OSError, ValueError, AttributeError):
        return f"unbuilt-{time.time_ns()}", started
    return (digest or f"unbuilt-{time.time_ns()}"), built


class HttpCaching:
    def __init__(self, app: Flask, build_hash: str, built: datetime, settings_key: str):
        self._settings_key = settings_key
        self.rebuild(build_hash, built)
        app.before_request(self._not_modified)
        app.after_request(self._headers)

    def rebuild(self, build_hash: str, built: datetime) -> None:
        """Another build is served (hot reload, reload.py): every ETag and date changes with it."""
        self.built, self.build_hash = built, build_hash
        self.last_modified = format_datetime(built, usegmt=True)
        self._seed = hashlib.sha256("\0".join((build_hash, __version__, self._settings_key)).encode()).digest()

    def _applies(self) -> bool:
        return (request.method in ("GET", "HEAD") and not request.path.startswith(UNCACHED_PATHS)
                and request.path not in UNCACHED_EXACT)

    def etag(self) -> str:
        h = hashlib.sha256(self._seed)
        for name in VARY_ON:
            h.update(b"\0" + request.headers.get(name, "").encode("utf-8", "replace"))
        return h.hexdigest()[:32]

    def _fresh(self, etag: str) -> bool:
        """True when the client's copy is current (RFC 9110 13.2.2: If-None-Match wins)."""
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return "*" in tags or f'"{etag}"' in tags
        since = request.headers.get("If-Modified-Since")
        if since:
            try:
                return parsedate_to_datetime(since) >= self.built
            except (TypeError, ValueError):
                return False  # an unreadable date is ignored, as the RFC says
        return False

    def _not_modified(self):
        if not self._applies():
            return None
        etag = self.etag()
        if self._fresh(etag):
            response = Response(status=304)
            self._stamp(response, etag)
            return response
        return None

    def _headers(self, response: Response) -> Response:
        if not self._applies() or response.status_code != 200:
            if response.status_code != 304:
                response.headers.setdefault("Cache-Control", "no-store")
            return response
        self._stamp(response, self.etag())
        return response

    def _stamp(self, response: Response, etag: str) -> None:
        response.headers["ETag"] = f'"{etag}"'
        response.headers["Last-Modified"] = self.last_modified
        static = request.path.startswith("/static/")
        response.headers["Cache-Control"] = STATIC_CACHE_CONTROL if static else CACHE_CONTROL
        vary = {v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()}
        response.headers["Vary"] = ", ".join(sorted(vary | set(VARY_ON)))


def install(app: Flask, settings) -> HttpCaching:
    build_hash, built = build_identity(settings.dist_dir)
    # Only what changes a successful answer: the row cap and federation. Worker counts, timeouts
    # and where the files lie do not, so replicas of one build give one ETag.
    settings_key = f"max_results={settings.max_results};allow_service={settings.allow_service}"
    return HttpCaching(app, build_hash, built, settings_key)
