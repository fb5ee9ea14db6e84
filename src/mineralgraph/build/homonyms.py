"""Gazetteer integrity at load: no two entries may share a name unless they say so.

Names are compared as the matcher sees them: Traditional folded to Simplified, case and spacing
folded. Two entries sharing a label, variant or abbreviation would make every mention of that
name ambiguous (the build then failed later, on a mention with two bodies); here the load stops
with exit 2 naming both entries with their file and line. A real homonym is declared on either
entry: `homonyms: [org:eu]` (family:id, or the bare id).
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
                if _declared(a, b):
                    continue
                same = repr(name_b) if name_a == name_b else f"{name_b!r} / {name_a!r}"
                problems.append(
                    f"{b.file}:{b.line}: {b.family} {b.id!r} and {a.family} {a.id!r} ({a.file}:{a.line}) share the name "
                    f"{same} (Traditional and Simplified folded); rename one, or declare "
                    f"`homonyms: [{a.family}:{a.id}]` on {b.id!r} if both are meant")
    if problems:
        raise InputError("\n".join(problems))
