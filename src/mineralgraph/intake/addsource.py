"""`mineralgraph add-source`: a new document enters seeds/ as data, never edited.

The file is copied byte for byte as `NNN_<first 16 hex digits of its sha256>.txt`, an entry is
appended to sources.yaml as text (its comments and layout stay as they are), and an annotation
skeleton is written. Nothing is changed unless the new entry passes the same checks as a build.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..build.dataschema import date_problem
from ..build.sources import load_sources
from ..core.atomic import write_text_atomic
from ..core.errors import InputError
from ..core.paths import ProjectPaths
from ..core.yamlio import load_yaml

MARKUP_BY_SUFFIX = {".html": "html", ".htm": "html", ".md": "markdown", ".wiki": "wiki"}
HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass
class NewSource:
    id: str
    file: str
    sha256: str
    annotation: Path


def source_file_name(source_id: str, data: bytes) -> str:
    """The documented name of a source file: its id and the first 16 hex digits of its sha256."""
    return f"{source_id}_{hashlib.sha256(data).hexdigest()[:16]}.txt"


def add_source(paths: ProjectPaths, original: Path, *, source_id: str, date: str | None, title: str, publisher: str,
               url: str | None = None, language: str = "zh-Hans", kind: str = "news",
               markup: str | None = None, authors: tuple[str, ...] | list[str] = (),
               not_before: str | None = None) -> NewSource:
    """`date`: the publication date; for an undated text, `not_before` instead: the latest date the
    text itself refers to (sources.yaml then says `date: null`)."""
    data = _read_document(original)
    if not re.fullmatch(r"\d{3}", source_id):
        raise InputError(f"--id must be three digits (005), not {source_id!r}")
    if (date is None) == (not_before is None):
        raise InputError("give either --date (the publication date) or, for an undated text, --not-before "
                         "(the latest date the text refers to), not both")
    for option, value in (("--date", date), ("--not-before", not_before)):
        if value is not None and date_problem(value):
            raise InputError(f"{option} {value!r} is not a date: {date_problem(value)}")
    authors = [a.strip() for a in authors]
    if any(not a for a in authors):
        raise InputError("--author must not be empty")
    existing = load_sources(paths)  # also proves sources.yaml is valid before we append to it
    digest = hashlib.sha256(data).hexdigest()
    for src in existing:
        if src.id == source_id:
            free = f"{max(int(s.id) for s in existing) + 1:03d}"
            raise InputError(f"source {source_id} already exists ({src.file}); the next free id is {free}",
                             paths.sources_file, src.line)
        if src.sha256 == digest:
            raise InputError(f"this file is already source {src.id} ({src.file}): same sha256", paths.sources_file, src.line)
    name = source_file_name(source_id, data)
    target, annotation = paths.seeds / name, paths.annotations / f"{source_id}.yaml"
    for path in (target, annotation):
        if path.exists():
            raise InputError("already exists; remove it or choose another --id", path)

    entry = _entry(paths, source_id, name, digest, date, title, publisher, url, language, kind,
                   markup or MARKUP_BY_SUFFIX.get(original.suffix.lower(), "plain"), authors, not_before)
    before = paths.sources_file.read_text(encoding="utf-8")
    target.write_bytes(data)
    try:
        write_text_atomic(paths.sources_file, before.rstrip("\n") + "\n\n" + entry)
        load_sources(paths)  # the appended entry is checked like any other (schema, sha256)
    except BaseException:
        write_text_atomic(paths.sources_file, before)
        target.unlink()
        raise
    write_text_atomic(annotation, _skeleton(source_id, name, title))
    return NewSource(source_id, name, digest, annotation)


def _read_document(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the document: {exc.strerror}", path) from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 (byte {exc.start}); convert it first, quotes are offsets into its text", path) from None
    if not data.strip():
        raise InputError("the document is empty", path)
    return data


def _entry(paths, source_id, name, digest, date, title, publisher, url, language, kind, markup, authors=(),
           not_before=None) -> str:
    q = lambda text: json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar  # noqa: E731
    title_lang = language if HAN.search(title) or language == "en" else "en"
    lines = [
        f"- id: {q(source_id)}",
        f"  file: {name}",
        f"  sha256: {digest}",
        f"  title: {{{title_lang}: {q(title)}}}",
        f"  creator: [{', '.join(q(a) for a in authors)}]",
        f"  publisher: {_publisher(paths, publisher, language, q)}",
    ]
    if date is not None:
        lines.append(f"  date: {date}")
    else:
        lines += ["  date: null                  # not stated in the text",
                  f"  not_before: {not_before}      # the latest date the text refers to"]
    if url:
        lines.append(f"  url: {q(url)}")
    lines += [f"  language: {language}", f"  kind: {kind}", f"  markup: {markup}"]
    return "\n".join(lines) + "\n"


def _publisher(paths: ProjectPaths, publisher: str, language: str, q) -> str:
    """An organisation of the gazetteer by id ({org: rfi}); otherwise the name as given."""
    orgs = load_yaml(paths.gazetteer / "organisations.yaml") if (paths.gazetteer / "organisations.yaml").exists() else {}
    if any(str(e.get("id")) == publisher for e in (orgs or {}).get("entries") or []):
        return f"{{org: {publisher}}}"
    lang = language if HAN.search(publisher) else "en"
    return f"{{{lang}: {q(publisher)}}}"


def _skeleton(source_id: str, name: str, title: str) -> str:
    return f"""# Curated annotations for source {source_id} ({name}): {title}
# Each claim is a verbatim quote of the source and the statements it supports; see docs/DATA.md.
# `mineralgraph check-source {source_id}` checks this file on its own.
#
# claims:
#   - quote: "…exact text of the source…"
#     gloss: "…your English rendering of it (optional)…"
#     statements:
#       - membership: {{mechanism: msp, members: auto, exhaustive: false}}
#       # successions, terms, draft lists, measures, attendance (docs/DATA.md, Statement types):
#       - relation: {{subject: forge, relation: succeeds, object: msp, since: 2026-02-04}}
#       - membership: {{mechanism: forge, members: [KOR], role: chair, since: 2026-02, until: 2026-06}}
#       - list_version: {{version: us/2025-draft, list: us, status: proposed, final_version: us/2025, minerals: []}}
#       - event: {{event: export-control, about: [gallium, germanium], issuer: mofcom, target: USA, date: 2025-12-01}}
#       - event: {{event: meeting, about: forge, date: 2026-02-04, attendance: {{count: 54, unit: delegation}}}}
#       # an amount for each party (each: true), one figure over several minerals (minerals, upper_value):
#       - statistic: {{subject: forge, indicator: investment-amount, value: 1000000000, unit: usd, funder: [USA, AUS], each: true, value_text: "US$1 billion"}}
#       - statistic: {{subject: CHN, indicator: refining-share, minerals: [lithium, cobalt], value: 47, upper_value: 87, bound: at-least, unit: percent, estimated_by: [iea]}}
# Statement types and keys: docs/DATA.md ("Statement types"); units of amounts are currencies of
# seeds/gazetteer/units.yaml (usd, aud, eur, jpy, cny, gbp, cad, krw, inr …).
source: "{source_id}"
claims: []
"""
