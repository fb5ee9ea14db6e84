"""Source documents: metadata from seeds/sources.yaml, bytes verified by sha256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import InputError
from ..core.paths import ProjectPaths
from ..core.yamlio import load_yaml, line_of
from .dataschema import check



@dataclass
class Source:
    id: str
    file: str
    path: Path
    sha256: str
    title: dict
    language: str
    kind: str
    markup: str
    text: str
    creator: list = field(default_factory=list)
    publisher: dict | None = None
    date: str | None = None
    not_before: str | None = None
    url: str | None = None
    pinyin_annotations: bool = False
    line: int | None = None

    @property
    def as_of(self) -> str | None:
        """The date the source speaks for, when an annotation gives none."""
        return self.date or self.not_before


def load_sources(paths: ProjectPaths) -> list[Source]:
    data = load_yaml(paths.sources_file)
    check("sources", data, paths.sources_file)  # keys, types, dates: schemas/sources.schema.json
    sources, seen = [], set()
    for entry in data:
        line = line_of(entry)
        sid = str(entry["id"])
        if sid in seen:
            raise InputError(f"duplicate source id {sid!r}", paths.sources_file, line)
        seen.add(sid)
        if not entry["file"].startswith(f"{sid}_"):
            raise InputError(f"file {entry['file']!r} does not start with the source id: {sid}_…", paths.sources_file,
                             entry.key_lines.get("file", line))
        path = paths.seeds / entry["file"]
        sources.append(
            Source(
                id=sid,
                file=entry["file"],
                path=path,
                sha256=entry["sha256"],
                title=dict(entry["title"]),
                language=entry["language"],
                kind=entry["kind"],
                markup=entry["markup"],
                text=_read_verified(path, entry["sha256"], paths.sources_file, line),
                creator=list(entry.get("creator") or []),
                publisher=entry.get("publisher"),
                date=str(entry["date"]) if entry.get("date") else None,
                not_before=str(entry["not_before"]) if entry.get("not_before") else None,
                url=entry.get("url"),
                pinyin_annotations=bool(entry.get("pinyin_annotations", False)),
                line=line,
            )
        )
    return sources


def _read_verified(path: Path, expected: str, meta_file: Path, line: int | None) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"source file {path.name} listed in sources.yaml does not exist", meta_file, line) from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise InputError(
            f"sha256 mismatch: the file hashes to {actual}, sources.yaml expects {expected}. "
            "Sources must stay byte for byte as received (quote offsets point into them); "
            "restore the original, or record a corrected document as a new source.",
            path,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 at byte {exc.start}", path) from None
