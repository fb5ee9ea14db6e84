"""Gazetteer integrity at load: no two entries may share a name unless they say so.

Names are compared as the matcher sees them: Traditional folded to Simplified, case and spacing
folded. Two entries sharing a label, variant or abbreviation would make every mention of that
name ambiguous (the build then failed later, on a mention with two bodies); here the load stops
with exit 2 naming both entries with their file and line. A real homonym is declared on either
entry: `homonyms: [org:eu]` (family:id, or the bare id). Entries valid for periods that do not
meet (`valid: {from: …, to: …}`) may share a name undeclared: the source's date tells them apart.
"""

from __future__ import annotations

from ..core.errors import InputError
from .text import to_simplified


def _key(name: str) -> str:
    return " ".join(to_simplified(name).split()).casefold()


def _declared(a, b) -> bool:
    def says(x, y):
        return any(str(h) in (y.id, f"{y.family}:{y.id}") for h in x.data.get("homonyms") or [])
    return says(a, b) or says(b, a)


def _disjoint(a, b) -> bool:
    """Both entries valid for a period (`valid:`), and the periods do not meet: one name, two
    times (an administration and its successor), told apart by the source's date."""
    if a.period is None or b.period is None:
        return False
    (start_a, end_a), (start_b, end_b) = a.period, b.period
    return (end_a is not None and start_b is not None and end_a <= start_b) or (
        end_b is not None and start_a is not None and end_b <= start_a)


def check_names(entities: list) -> None:
    """Raise InputError (one line per clash) when entries share a name without declaring it."""
    seen: dict[str, list[tuple[object, str]]] = {}
    for e in entities:
        for name in e.names():
            bucket = seen.setdefault(_key(name), [])
            if all(other is not e for other, _ in bucket):
                bucket.append((e, name))
    problems = []
    for items in seen.values():
        for i, (a, name_a) in enumerate(items):
            for b, name_b in items[i + 1 :]:
                if _declared(a, b) or _disjoint(a, b):
                    continue
                same = repr(name_b) if name_a == name_b else f"{name_b!r} / {name_a!r}"
                problems.append(
                    f"{b.file}:{b.line}: {b.family} {b.id!r} and {a.family} {a.id!r} ({a.file}:{a.line}) share the name "
                    f"{same} (Traditional and Simplified folded); rename one, or declare "
                    f"`homonyms: [{a.family}:{a.id}]` on {b.id!r} if both are meant")
    if problems:
        raise InputError("\n".join(problems))
