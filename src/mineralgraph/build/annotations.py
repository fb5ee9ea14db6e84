"""Curated stand-off annotations (seeds/annotations/NNN.yaml): claims and the statements they support."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import InputError
from ..core.yamlio import line_of, load_yaml
from .dataschema import check


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
    gloss: str | None  # the annotator's English rendering of the quote
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
    check("annotations", data, path)  # keys, types, dates: schemas/annotations.schema.json
    named_for = re.match(r"\d+", path.name)
    if named_for and named_for.group(0) != data["source"]:
        raise InputError(
            f"this file is named for source {named_for.group(0)} but says `source: {data['source']!r}`; a claim of "
            f"another source goes in that source's file (seeds/annotations/{data['source']}.yaml)",
            path, data.key_lines["source"])
    claims = []
    for item in data["claims"] or []:
        if item.get("draft"):
            continue  # proposed by `mineralgraph draft`, not yet accepted by a person
        line = line_of(item)
        statements = []
        for st in item["statements"]:
            (stype, fields), = st.items()
            statements.append(StatementSpec(stype, dict(fields), line_of(fields, line_of(st, line))))
        as_of = item.get("as_of")
        claims.append(
            ClaimSpec(
                quote=item["quote"],
                occurrence=item.get("occurrence"),
                as_of=str(as_of) if as_of is not None else None,
                statements=statements,
                exhaustive=item.get("exhaustive"),
                note=item.get("note"),
                gloss=item.get("gloss"),
                path=path,
                line=line,
            )
        )
    return AnnotationFile(source_id=str(data["source"]), claims=claims, path=path)
