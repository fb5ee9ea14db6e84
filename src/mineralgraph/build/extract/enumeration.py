"""Enumerations inside a quote: 「A、B、C和D等N国」 -> items, completeness and the stated count."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..gazetteer import Gazetteer, Mention
from ..text import AnalysisText

# What may stand between two items of one enumeration.
SEPARATOR = re.compile(r"^[、，,\s]*(?:和|与|及|以及|、|，|,)?[、，,\s]*$")
# After the last item: 等 / 等国 / 和其他国家 mark an open-ended list.
OPEN_AFTER = re.compile(r"^(?:国|政府|盟友)?(?:等|和其他|和其它|及其他|及其它|以及其他)")
OPEN_ANYWHERE = re.compile(r"(?:和|及|与)其[他它]国家|和其他|等盟友|等国")
CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
COUNT_AFTER = re.compile(r"^(?:国|政府|盟友)?等?\s*(\d+|[一二两三四五六七八九十]{1,3})\s*(?:个|種|种|国|國)?")


@dataclass
class Enumeration:
    items: list[Mention]
    complete: bool
    count: int | None


def chinese_number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token == "十":
        return 10
    if token.startswith("十"):
        return 10 + CHINESE_DIGITS[token[1]]
    if token.endswith("十"):
        return CHINESE_DIGITS[token[0]] * 10
    if "十" in token:
        a, b = token.split("十")
        return CHINESE_DIGITS[a] * 10 + CHINESE_DIGITS[b]
    return CHINESE_DIGITS[token]


def mentions_in(gazetteer: Gazetteer, text: AnalysisText, start: int, end: int, families: set[str], *, enumeration=False):
    return [m for m in gazetteer.find_mentions(text, start, end, enumeration=enumeration) if m.entity.family in families]


def longest_run(mentions: list[Mention], text: AnalysisText) -> list[Mention]:
    """The longest run of mentions separated only by list punctuation or 和/与/及."""
    best: list[Mention] = []
    run: list[Mention] = []
    for m in mentions:
        if run and m.start == run[-1].start:
            continue  # an ambiguous name yields several mentions at one place; keep the first
        if run and SEPARATOR.match(text.simplified[run[-1].end : m.start]):
            run.append(m)
        else:
            run = [m]
        if len(run) > len(best):
            best = list(run)
    return best


def completeness(text: AnalysisText, items: list[Mention], q_start: int, q_end: int) -> tuple[bool, int | None]:
    """Whether the list is closed, and the count the text states right after it (等35个品类)."""
    if not items:
        return True, None
    tail = text.simplified[items[-1].end : q_end]
    quote = text.simplified[q_start:q_end]
    open_ended = bool(OPEN_AFTER.match(tail)) or bool(OPEN_ANYWHERE.search(quote))
    count = None
    m = COUNT_AFTER.match(tail)
    if m:
        count = chinese_number(m.group(1))
        # "等五国" names a count, and a count equal to the number of items closes the list.
        if count == len(items):
            open_ended = False
    return (not open_ended), count


def enumeration_in(gazetteer: Gazetteer, text: AnalysisText, start: int, end: int, families: set[str]) -> Enumeration:
    items = longest_run(mentions_in(gazetteer, text, start, end, families, enumeration=True), text)
    complete, count = completeness(text, items, start, end)
    return Enumeration(items, complete, count)
