"""Curated stand-off annotations (seeds/annotations/NNN.yaml): claims and the statements they support."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .yamlio import line_of, load_yaml

STATEMENT_TYPES = {
    "membership",
    "founding",
    "classification",
    "statistic",
    "member_count",
    "policy",
    "list_version",
    "list_change",
    "event",
    "relation",
}
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass
class StatementSpec:
    type: str
    fields: dict
    line: int | None


@dataclass
class ClaimSpec:
    quote: str
    occurrence: int | None
    as_of: str | None
    statements: list[StatementSpec]
    exhaustive: bool | None
    note: str | None
    path: Path
    line: int | None
    extra: dict = field(default_factory=dict)


@dataclass
class AnnotationFile:
    source_id: str
    claims: list[ClaimSpec]
    path: Path


def load_annotations(directory: Path, source_ids: set[str]) -> dict[str, list[AnnotationFile]]:
    """Annotation files by source. A source may have several files (NNN.yaml, NNN-topic.yaml)."""
    out: dict[str, list[AnnotationFile]] = {}
    if not directory.is_dir():
        return out
    for path in sorted(directory.glob("*.yaml")):
        ann = parse_annotation_file(path)
        if ann.source_id not in source_ids:
            raise InputError(f"annotations for unknown source {ann.source_id!r} (not in sources.yaml)", path)
        out.setdefault(ann.source_id, []).append(ann)
    return out


def parse_annotation_file(path: Path) -> AnnotationFile:
    data = load_yaml(path)
    if not isinstance(data, dict) or "source" not in data:
        raise InputError("an annotation file needs `source:` and `claims:`", path, 1)
    claims = []
    for item in data.get("claims") or []:
        line = line_of(item)
        if not isinstance(item, dict) or not isinstance(item.get("quote"), str):
            raise InputError("each claim needs a `quote:` string", path, line)
        unknown = set(item) - {"quote", "occurrence", "as_of", "statements", "exhaustive", "note"}
        if unknown:
            raise InputError(f"unknown claim key(s) {sorted(unknown)}", path, line)
        as_of = item.get("as_of")
        if as_of is not None and not DATE_RE.match(str(as_of)):
            raise InputError(f"as_of must be YYYY, YYYY-MM or YYYY-MM-DD, not {as_of!r}", path, line)
        occurrence = item.get("occurrence")
        if occurrence is not None and (not isinstance(occurrence, int) or occurrence < 1):
            raise InputError("occurrence must be a positive whole number", path, line)
        statements = []
        for st in item.get("statements") or []:
            sline = line_of(st, line)
            if not isinstance(st, dict) or len(st) != 1:
                raise InputError("each statement is a mapping with one key: its type", path, sline)
            (stype, fields), = st.items()
            if stype not in STATEMENT_TYPES:
                raise InputError(f"unknown statement type {stype!r}; one of {sorted(STATEMENT_TYPES)}", path, sline)
            if not isinstance(fields, dict):
                raise InputError(f"{stype} needs a mapping of fields", path, sline)
            statements.append(StatementSpec(stype, dict(fields), line_of(fields, sline)))
        if not statements:
            raise InputError("a claim must support at least one statement", path, line)
        claims.append(
            ClaimSpec(
                quote=item["quote"],
                occurrence=occurrence,
                as_of=str(as_of) if as_of is not None else None,
                statements=statements,
                exhaustive=item.get("exhaustive"),
                note=item.get("note"),
                path=path,
                line=line,
            )
        )
    return AnnotationFile(source_id=str(data["source"]), claims=claims, path=path)
