"""Compound abbreviations of parties (美巴, 加美, 美英澳): each character is a party's `short`.

A character can stand for several countries (巴: Brazil, Pakistan; 阿: Argentina, Afghanistan),
so the party is resolved from the text around the mechanism: the candidate whose full name the
source writes nearest to a mention of the same mechanism. Nothing is guessed: an unresolved
character is reported, and the party is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..gazetteer import Entity, Gazetteer, Mention
from ..text import AnalysisText

PARTY_FAMILIES = {"country", "org"}
WINDOW = 120  # characters either side of a mechanism mention that count as "around it"


@dataclass
class Resolution:
    char: str
    entity: Entity | None
    evidence: Mention | None  # the full-name mention that decided it
    candidates: list[Entity]


def compound_prefix(name: str, gazetteer: Gazetteer) -> str:
    """The leading run of characters that are all some party's short name (美英澳安全… -> 美英澳)."""
    prefix = ""
    for ch in name:
        if gazetteer.with_short(ch, PARTY_FAMILIES):
            prefix += ch
        else:
            break
    return prefix if len(prefix) >= 2 else ""


def resolve_compound(
    prefix: str,
    mechanism: Entity,
    text: AnalysisText,
    mentions: list[Mention],
    gazetteer: Gazetteer,
    exclude_span: tuple[int, int] | None = None,
) -> list[Resolution]:
    """Resolve each character of `prefix` using mentions near the mechanism's other mentions."""
    anchors = [m for m in mentions if m.entity is mechanism and not _inside(m, exclude_span)]
    out = []
    for ch in prefix:
        candidates = gazetteer.with_short(ch, PARTY_FAMILIES)
        if len(candidates) == 1:
            # Only one party has this short name: unambiguous, no context needed.
            out.append(Resolution(ch, candidates[0], None, candidates))
            continue
        best: tuple[int, Entity, Mention] | None = None
        for cand in candidates:
            for m in mentions:
                # The abbreviation is the first character of the name written out in full (巴 -> 巴西).
                if m.entity is not cand or _inside(m, exclude_span) or not text.simplified[m.start : m.end].startswith(ch):
                    continue
                for a in anchors:
                    distance = max(0, m.start - a.end, a.start - m.end)
                    if distance <= WINDOW and (best is None or distance < best[0]):
                        best = (distance, cand, m)
        if best is not None:
            out.append(Resolution(ch, best[1], best[2], candidates))
        else:
            out.append(Resolution(ch, None, None, candidates))
    return out


def _inside(m: Mention, span: tuple[int, int] | None) -> bool:
    return span is not None and span[0] <= m.start < span[1]
