"""Server settings: the limits that protect a worker, and the switch that opens federation.
The served graph is read-only (no switch opens writes); SERVICE is off unless a flag turns it on."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Settings:
    workers: int = 2                 # query worker processes (each runs one query at a time)
    timeout: float = 30.0            # wall-clock seconds per request, queueing included
    max_results: int = 10_000        # rows (SELECT) or triples (CONSTRUCT/DESCRIBE, GSP) per answer
    max_answer_bytes: int = 16 << 20 # and bytes: beyond, 413 (a few rows of huge strings)
    public_url: str | None = None    # absolute links start here; else the Host when it is local
    max_body: int = 1 << 20          # request body bytes -> 413 beyond
    max_url: int = 32_768            # request-target bytes -> 414 beyond
    queue: int = 30                  # requests waiting for a free worker; more get 503 + Retry-After at once
    worker_memory_mb: int = 1024     # a worker holding more of its own memory is recycled; twice that is a hard limit
    cache_bytes: int = 64 << 20      # answers kept in memory for repeated GETs (answercache.py); 0 = off
    reload_seconds: float = 0        # poll dist/ for a new build this often and serve it (reload.py); 0 = off
    allow_service: bool = False      # SERVICE clauses make the server fetch URLs: off by default
    store_path: Path | None = None   # on-disk store: workers open it read-only instead of forking it
    dist_dir: Path | None = None     # dump files linked from VoID and served under /dump/

    def __post_init__(self):
        if self.workers < 1:
            raise ValueError("need at least one query worker")
        if self.public_url is not None:
            if not self.public_url.startswith(("http://", "https://")):
                raise ValueError(f"--public-url must be an http(s) URL, not {self.public_url!r}")
            self.public_url = self.public_url.rstrip("/") + "/"
        if self.queue < 0 or self.cache_bytes < 0 or self.worker_memory_mb < 0 or self.max_answer_bytes < 0:
            raise ValueError("the queue length and the cache size cannot be negative")


class QueryTimeout(Exception):
    """The query ran past the deadline; its worker was killed."""


class Busy(Exception):
    """No worker became free before the deadline."""


class WorkerCrashed(Exception):
    """The worker died while answering (not a timeout)."""


class EngineAborted(Exception):
    """The query ended the worker evaluating it twice: the engine cannot answer it (a client gets
    422 naming the engine, never 500); the pool refuses it from then on without running it."""
