"""The data of `mineralgraph draft` (drafting/*.yaml at the project root): cues, date words, name
patterns and abbreviations, loaded once. Kept out of the code so a curator can extend them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..core.errors import InputError
from ..core.yamlio import load_yaml


def drafting_dir() -> Path:
    """drafting/ of the checkout this code runs from (the nearest parent that has one)."""
    for parent in Path(__file__).resolve().parents:
        if (parent / "drafting").is_dir():
            return parent / "drafting"
    raise InputError("no drafting/ data directory above the package", Path(__file__))


@lru_cache(maxsize=None)
def load(name: str) -> dict:
    """One data file of drafting/, e.g. load("cues")."""
    path = drafting_dir() / f"{name}.yaml"
    if not path.is_file():
        raise InputError("missing drafting data file", path)
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise InputError("expected a mapping", path)
    for key in PATTERNS.get(name, ()):
        _check_patterns(data.get(key), f"{key}", path)
    return data


# the keys of each file whose strings are regular expressions (checked at load: a broken one is
# exit 2 naming the file, the key and the pattern, not a traceback in the middle of a draft)
PATTERNS = {"cues": ("kinds", "relations", "event_types", "planned", "bounds", "member_counts", "list_counts",
                     "list_years", "change_counts", "joining", "units_after", "roles", "ending", "proposed_list",
                     "measures", "each_party"),
            "dates": ("datelines",)}


def _check_patterns(value, where: str, path: Path) -> None:
    import re

    if isinstance(value, dict):
        for k, v in value.items():
            _check_patterns(k if where.endswith("units_after") else v, f"{where}.{k}", path)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_patterns(v, f"{where}#{i + 1}", path)
    elif isinstance(value, str):
        try:
            re.compile(value)
        except re.error as exc:
            raise InputError(f"`{where}`: {value!r} is not a valid regular expression ({exc})", path) from None
