"""Near-miss help for a quote that is not in its source: the closest passage and how it differs.

A quote is found by exact match; when none exists, the passage that shares the most short runs of
characters with it (an n-gram vote, so long sources stay fast) is compared character by character.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass

GRAM = 2  # Chinese: two characters already pin a place down; one wrong character spoils at most two grams


@dataclass(frozen=True)
class NearMiss:
    start: int  # analysis-text offsets of the closest passage
    end: int
    similarity: float  # 0..1, difflib's ratio
    differences: list[str]  # "the quote has 'X' where the source has 'Y'"


def closest_passage(haystack: str, needle: str, candidates: int = 5) -> NearMiss | None:
    if not needle or not haystack:
        return None
    grams: dict[str, list[int]] = {}
    for i in range(len(needle) - GRAM + 1):
        grams.setdefault(needle[i : i + GRAM], []).append(i)
    votes: Counter[int] = Counter()
    for j in range(len(haystack) - GRAM + 1):
        for i in grams.get(haystack[j : j + GRAM], ()):
            votes[j - i] += 1  # the quote would start at j - i
    if not votes:
        return None
    best = None
    slack = 2 + len(needle) // 5  # the quote may be a few characters longer or shorter than the passage
    for start, _ in votes.most_common(candidates):
        s, e = _aligned(haystack, needle, max(0, start - slack), min(len(haystack), start + len(needle) + slack))
        matcher = difflib.SequenceMatcher(None, needle, haystack[s:e], autojunk=False)
        if best is None or matcher.ratio() > best[2]:
            best = (s, e, matcher.ratio(), matcher)
    s, e, ratio, matcher = best
    if ratio < 0.5:
        return None
    passage = haystack[s:e]
    diffs = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace":
            diffs.append(f"the quote has {needle[i1:i2]!r} where the source has {passage[j1:j2]!r} (quote character {i1 + 1})")
        elif op == "delete":
            diffs.append(f"the quote has {needle[i1:i2]!r} that the source does not (quote character {i1 + 1})")
        elif op == "insert":
            diffs.append(f"the source has {passage[j1:j2]!r} that the quote lacks (after quote character {i1})")
    return NearMiss(s, e, ratio, diffs)


def _aligned(haystack: str, needle: str, s: int, e: int) -> tuple[int, int]:
    """Trim a window of the source to the passage the quote lines up with, end to end."""
    blocks = [b for b in difflib.SequenceMatcher(None, needle, haystack[s:e], autojunk=False).get_matching_blocks() if b.size]
    if not blocks:
        return s, e
    first, last = blocks[0], blocks[-1]
    start = max(s, s + first.b - first.a)  # as many characters before the first match as the quote has
    end = min(e, s + last.b + last.size + (len(needle) - last.a - last.size))
    return start, end
