"""Sentence segmentation for English and Chinese news (`mineralgraph draft`).

Rule-based, no dependency: Chinese sentences end at 。！？； (with any closing quote or bracket after
it) or a line break; English ones at . ! ? followed by a space and a capital letter, digit or
opening quote, unless the full stop ends an abbreviation of drafting/sentences.yaml (U.S., Feb.,
Dr. …), an initial (J. Smith) or sits inside a number (3.5). Spans are offsets into the text given,
trimmed of blanks.
"""

from __future__ import annotations

import re

from .drafting import load

_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.'’]*)$")


def _rules():
    data = load("sentences")
    abbreviations = {a.lower().rstrip(".") for a in data["en_abbreviations"].split()}
    return data["zh_terminators"], data["closers"], abbreviations


def split(text: str, min_length: int = 6, breaks: set[int] = frozenset()) -> list[tuple[int, int]]:
    """Sentence spans of `text` (either language, or both mixed). `breaks`: offsets before which
    the original had a line break that normalisation folded away (next to Chinese text)."""
    zh_end, closers, abbreviations = _rules()
    spans, start, i, n = [], 0, 0, len(text)
    while i < n:
        ch = text[i]
        end = None
        if i in breaks and i > start:
            spans.append((start, i))
            start = i
        if ch == "\n":
            end = i
        elif ch in zh_end:
            end = i + 1
        elif ch in ".!?…" and _english_end(text, i, abbreviations):
            end = i + 1
        if end is None:
            i += 1
            continue
        while end < n and text[end] in closers and ch != "\n":
            end += 1
        spans.append((start, end))
        start = i = max(end, i + 1)
    spans.append((start, n))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= min_length:
            out.append((s, e))
    return out


def _english_end(text: str, i: int, abbreviations: set[str]) -> bool:
    """Does the . ! ? at i end an English sentence?"""
    j = i + 1
    while j < len(text) and text[j] in "\"'”’)":
        j += 1
    if j < len(text) and not text[j].isspace():
        return False  # 3.5, U.S.-led, example.com
    while j < len(text) and text[j] in " \t":
        j += 1
    if j >= len(text) or text[j] == "\n":
        return True
    nxt = text[j]
    if not (nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘(" or "\u4e00" <= nxt <= "\u9fff"):
        return False
    if text[i] != ".":
        return True
    word = _WORD_BEFORE.search(text[max(0, i - 20) : i])
    if word:
        w = word.group(1).lower().rstrip(".")
        if w in abbreviations or (len(w) == 1 and word.group(1).isupper()):
            return False
    return True


def folded_breaks(text) -> set[int]:
    """Analysis offsets (of an AnalysisText) before which the original had a line break."""
    out = set()
    for i in range(1, len(text.clean)):
        a, b = text.origin[i - 1], text.origin[i]
        if b - a > 1 and "\n" in text.original[a + 1 : b]:
            out.add(i)
    return out
