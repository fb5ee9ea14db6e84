"""WSGI entry point for external servers (waitress-serve, gunicorn without --preload).

Configured by environment: MINERALGRAPH_DIST (default: build dist/), MINERALGRAPH_STORE (the
directory of on-disk stores, as `serve --store`), MINERALGRAPH_MEMORY=1 (in memory, as `serve
--memory`), MINERALGRAPH_WORKERS, MINERALGRAPH_TIMEOUT, MINERALGRAPH_QUEUE, MINERALGRAPH_CACHE_MB,
MINERALGRAPH_MAX_RESULTS. SERVICE stays off
here; use `mineralgraph serve --allow-service` for that switch. The graph is served read-only.
"""
from __future__ import annotations

import os
from pathlib import Path

from .app import create_app
from .command import configure_logging, load_served, resolve_dist
from .limits import Settings

configure_logging()
_env = os.environ.get
_settings = Settings(workers=int(_env("MINERALGRAPH_WORKERS", "2")),
                     timeout=float(_env("MINERALGRAPH_TIMEOUT", "30")),
                     queue=int(_env("MINERALGRAPH_QUEUE", "16")),
                     cache_bytes=int(_env("MINERALGRAPH_CACHE_MB", "64")) << 20,
                     max_results=int(_env("MINERALGRAPH_MAX_RESULTS", "10000")))
_settings.dist_dir = resolve_dist(Path(_env("MINERALGRAPH_DIST")) if _env("MINERALGRAPH_DIST") else None)
_store_dir = Path(_env("MINERALGRAPH_STORE")) if _env("MINERALGRAPH_STORE") else None
_store, _manifest, _stores = load_served(_settings, _store_dir, memory=_env("MINERALGRAPH_MEMORY") == "1")
application = create_app(_store, _settings, _manifest, _stores)
