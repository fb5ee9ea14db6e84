"""Source texts for the source pages, and the split of a text into highlighted segments.

The graph holds each source's sha256 and length, not its text. The text is read from the seeds
directory (app.config["MINERALGRAPH_SEEDS"], else $MINERALGRAPH_SEEDS, else seeds/ next to the
served dist/, else the project's seeds/) and used only when its sha256 is the one the graph
records, so the claim offsets are known to point into these exact characters.

Nothing here produces markup: the templates escape every piece of text (a source that contains
HTML or script shows it as text).
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from mineralgraph.core.paths import project_root

from ..service import service

_cache: dict[tuple[str, float, int], tuple[str, str]] = {}


def seeds_dirs() -> list[Path]:
    found = []
    configured = current_app.config.get("MINERALGRAPH_SEEDS") or os.environ.get("MINERALGRAPH_SEEDS")
    if configured:
        found.append(Path(configured))
    dist = service().settings.dist_dir
    if dist is not None:
        found.append(Path(dist).resolve().parent / "seeds")
    found.append(project_root() / "seeds")
    return [d for d in dict.fromkeys(found) if d.is_dir()]


def _read(path: Path) -> tuple[str, str]:
    st = path.stat()
    key = (str(path), st.st_mtime, st.st_size)
    if key not in _cache:
        data = path.read_bytes()
        _cache[key] = (hashlib.sha256(data).hexdigest(), data.decode("utf-8", errors="replace"))
    return _cache[key]


def source_text(source_id: str, sha256: str | None) -> tuple[str | None, str]:
    """(text, note): the text whose hash matches the graph, or None and why not."""
    if not source_id or "/" in source_id or source_id.startswith("."):
        return None, "no source id"
    candidates = []
    for d in seeds_dirs():
        candidates += sorted(d.glob(f"{source_id}_*.txt")) + [d / f"{source_id}.txt"]
    seen_other = False
    for path in candidates:
        if not path.is_file():
            continue
        digest, text = _read(path)
        if sha256 is None or digest == sha256:
            return text, path.name
        seen_other = True
    if seen_other:
        return None, "the source file found differs from the one the graph was built from (sha256 mismatch)"
    return None, "the source file is not available on this server"


@dataclass
class Span:
    start: int
    end: int
    anchor: str          # element id in the source page: claim-START-END
    href: str            # the claim's page
    title: str = ""


@dataclass
class Segment:
    text: str
    start: int
    covering: list[Span] = field(default_factory=list)
    starting: list[Span] = field(default_factory=list)

    @property
    def classes(self) -> str:
        return " ".join(s.anchor for s in self.covering)


def segments(text: str, spans: list[Span]) -> list[Segment]:
    """The text cut at every span boundary; each piece knows the spans covering it and the spans
    that start at it (overlapping claims are common: a sentence and a clause inside it)."""
    n = len(text)
    spans = sorted((s for s in spans if 0 <= s.start < s.end <= n), key=lambda s: (s.start, -s.end))
    bounds = sorted({0, n} | {s.start for s in spans} | {s.end for s in spans})
    out = []
    for a, b in zip(bounds, bounds[1:]):
        covering = [s for s in spans if s.start <= a and b <= s.end]
        # innermost (shortest) last: the link of a segment goes to the most specific claim
        covering.sort(key=lambda s: -(s.end - s.start))
        out.append(Segment(text[a:b], a, covering, [s for s in spans if s.start == a]))
    return out


def context(text: str, start: int, end: int, width: int = 80) -> tuple[str, str, str]:
    """(before, quote, after) around an offset span, cut at line breaks when close."""
    a, b = max(0, start - width), min(len(text), end + width)
    before, after = text[a:start], text[end:b]
    if "\n" in before.rstrip("\n"):
        before = before[before.rstrip("\n").rfind("\n") + 1:]
    if "\n" in after.lstrip("\n"):
        after = after[: after.lstrip("\n").find("\n") + (len(after) - len(after.lstrip("\n")))]
    return ("…" if a > 0 and before == text[a:start] else "") + before, text[start:end], \
        after + ("…" if b < len(text) and after == text[end:b] else "")
