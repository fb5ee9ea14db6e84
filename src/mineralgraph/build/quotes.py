"""Locating quotes: a quote is found in the normalised text and reported at its original offsets.

This is the build's verification step: every quote in the graph passes through `locate`, and
`verify_span` re-checks a stored span against the original bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import InputError
from .nearmiss import closest_passage
from .sources import Source
from .text import AnalysisText, normalise_fragment


@dataclass(frozen=True)
class Located:
    start: int  # original code-point offsets, end exclusive
    end: int
    exact: str  # original[start:end], verbatim
    a_start: int  # analysis-text offsets
    a_end: int


def locate(source: Source, text: AnalysisText, quote: str, occurrence: int | None, *, path, line) -> Located:
    needle = normalise_fragment(quote, source.markup, source.pinyin_annotations)
    if not needle:
        raise InputError(f"empty quote {quote!r}", path, line)
    hits = []
    i = text.simplified.find(needle)
    while i != -1:
        hits.append(i)
        i = text.simplified.find(needle, i + 1)
    short = quote if len(quote) <= 60 else quote[:57] + "…"
    if not hits:
        raise InputError(f"quote not found in source {source.id} ({source.file}): {short!r}{_near_miss(source, text, needle)}",
                         path, line)
    if occurrence is None and len(hits) > 1:
        raise InputError(
            f"quote occurs {len(hits)} times in source {source.id}; add `occurrence: N` or quote more: {short!r}",
            path,
            line,
        )
    index = (occurrence or 1) - 1
    if not 0 <= index < len(hits):
        raise InputError(f"occurrence {occurrence} requested but the quote occurs {len(hits)} time(s): {short!r}", path, line)
    a_start = hits[index]
    a_end = a_start + len(needle)
    start, end = text.original_span(a_start, a_end)
    located = Located(start, end, source.text[start:end], a_start, a_end)
    verify_span(source, located.start, located.end, located.exact, needle=needle, path=path, line=line)
    return located


def verify_span(source: Source, start: int, end: int, exact: str, *, needle: str | None = None, path=None, line=None) -> None:
    """The stored quote must be the original text at its offsets (and normalise to the needle)."""
    if source.text[start:end] != exact:
        raise InputError(f"quote is not verbatim at {start}-{end} in source {source.id}: {exact[:60]!r}", path, line)
    if needle is not None and normalise_fragment(exact, source.markup, source.pinyin_annotations) != needle:
        raise InputError(
            f"quote at {start}-{end} in source {source.id} does not normalise back to the annotation: {exact[:60]!r}",
            path,
            line,
        )


def _near_miss(source: Source, text: AnalysisText, needle: str) -> str:
    """Where the quote nearly is, in original offsets, and which characters differ."""
    miss = closest_passage(text.simplified, needle)
    if miss is None:
        return "; no passage of the source resembles it"
    start, end = text.original_span(miss.start, miss.end)
    passage = source.text[start:end]
    passage = passage if len(passage) <= 80 else passage[:77] + "…"
    shown = "; ".join(miss.differences[:3]) + ("; …" if len(miss.differences) > 3 else "")
    return f"\n  closest passage ({miss.similarity:.0%} alike) at {start}-{end}: {passage!r}\n  {shown}"
