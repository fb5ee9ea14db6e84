"""The reading view of a source and of quotes: markup, HTML tags, wiki brackets and inserted pinyin
glosses removed (the build's own normalisation, mineralgraph.text), paragraph breaks kept, and
every claim still highlighted where its original offsets fall. Which markup a source has is read
from the sources.yaml beside its text (the graph does not record it)."""
from __future__ import annotations

import bisect
import re

from mineralgraph.build.text import normalise

from ..shownquote import shown
from . import texts

BLOCK_TAG = re.compile(r"</?(p|div|br|li|ul|ol|h[1-6]|tr|table|blockquote)\b", re.I)


def source_flags(source_id: str | None) -> tuple[str, bool]:
    """(markup, pinyin glosses?) of a source, from sources.yaml next to its text; ("plain", False) if unknown."""
    import yaml

    for d in texts.seeds_dirs():
        meta = d / "sources.yaml"
        if not meta.is_file():
            continue
        try:
            entries = yaml.safe_load(meta.read_text(encoding="utf-8")) or []
        except yaml.YAMLError:
            continue
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and str(entry.get("id")) == str(source_id):
                return str(entry.get("markup") or "plain"), bool(entry.get("pinyin_annotations"))
    return "plain", False


def reading_text(original: str, markup: str, pinyin: bool) -> tuple[str, list[int]]:
    """The text for reading and, for each of its characters, the original offset it stands for
    (a gap's break stands for the gap's first character).
    A break is put back where the original skipped a blank line, a block-level tag or (in plain
    and wiki text) a line break. In HTML and Markdown a single line break is only wrapping: 001
    writes "以确保\n <ok href=…>\n  稀土\n </ok>\n 、锂等", one sentence around inline links."""
    a = normalise(original, markup, pinyin)
    newline_breaks = markup not in ("html", "markdown")
    chars: list[str] = []
    origin: list[int] = []
    prev = None
    for ch, o in zip(a.clean, a.origin):
        if prev is not None and o - prev > 1:
            gap = original[prev + 1:o]
            if re.search(r"\n[ \t]*\n", gap) or re.search(r"</?(p|div|h[1-6]|blockquote)\b", gap, re.I):
                chars.append("\n\n")
                origin += [prev + 1] * 2  # the gap, so that no claim starting after it takes the break in
            elif ("\n" in gap and newline_breaks) or BLOCK_TAG.search(gap):
                chars.append("\n")
                origin.append(prev + 1)
        chars.append(ch)
        origin.append(o)
        prev = o
    return "".join(chars), origin


def reading_segments(original: str, markup: str, pinyin: bool, spans: list) -> list:
    """texts.segments over the reading text, spans moved from original to reading offsets;
    each segment's `start` is given back as the original offset it begins at."""
    text, index_origin = reading_text(original, markup, pinyin)
    moved = []
    for s in spans:
        a, b = bisect.bisect_left(index_origin, s.start), bisect.bisect_left(index_origin, s.end)
        if a < b:
            moved.append(texts.Span(a, b, s.anchor, s.href, s.title))
    out = texts.segments(text, moved)
    for seg in out:
        seg.start = index_origin[seg.start] if seg.start < len(index_origin) else len(original)
    return out


def clean_context(fragment: str) -> str:
    """A quote's context (prefix or suffix) for reading: a few dozen characters whose source is not
    at hand, so every kind of markup, tags cut at either end and the pinyin glosses are taken out
    (server/shownquote.py, which the downloads use too)."""
    return shown(fragment)
