"""Build progress on stderr, each step with the seconds since the start (build, serve)."""

from __future__ import annotations

import sys
import time
from typing import Callable


def stderr_progress() -> Callable[[str], None]:
    start = time.perf_counter()

    def show(message: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f}s] {message}", file=sys.stderr, flush=True)

    return show
