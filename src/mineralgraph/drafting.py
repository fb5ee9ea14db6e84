"""The data of `mineralgraph draft` (drafting/*.yaml at the project root): cues, date words, name
patterns and abbreviations, loaded once. Kept out of the code so a curator can extend them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .errors import InputError
from .yamlio import load_yaml


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
    return data
