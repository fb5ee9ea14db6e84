"""Tables of mechanisms (Table 1 of 004): 类型 | 名称 | 缩写 | 建立时间.

The table is plain text with tab-separated cells, and its formatting is irregular: the type
cell is filled only on the first row of each group, a cell may be empty (no abbreviation),
and one row lost its leading tab. Each row is read by what its cells look like, not by their
position: the type is a known type label, the year is four digits, the abbreviation is Latin
script, the name is the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADER = re.compile(r"^\s*类型\s+名称\s+缩写\s+(?:建立|成立)时间\s*$")
END = re.compile(r"^\s*(?:资料来源|注[:：]|$)")
YEAR = re.compile(r"^(1[89]\d\d|20\d\d)$")
LATIN = re.compile(r"^[A-Za-z][A-Za-z0-9 .&+-]*$")


@dataclass
class TableRow:
    line_start: int  # original offset of the row's first non-blank character
    line_end: int  # original offset after its last non-blank character
    text: str  # the row, verbatim (tabs included)
    type_label: str | None  # the type cell of this row's group
    type_start: int | None  # where that type label stands in the original
    name: str
    abbreviation: str | None
    year: str | None
    caption: str | None  # the table's caption line (表1 …)


def find_tables(original: str, type_labels: set[str]) -> list[list[TableRow]]:
    """Every mechanism table in a document, as rows with their original offsets."""
    tables = []
    lines = _lines(original)
    i = 0
    while i < len(lines):
        start, text = lines[i]
        if HEADER.match(text):
            caption = next((t.strip() for _, t in reversed(lines[max(0, i - 3) : i]) if t.strip().startswith("表")), None)
            rows, i = _rows(lines, i + 1, type_labels, caption)
            tables.append(rows)
        else:
            i += 1
    return tables


def _lines(original: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in original.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def _rows(lines, i, type_labels, caption):
    rows: list[TableRow] = []
    current_type, current_type_start = None, None
    while i < len(lines):
        start, text = lines[i]
        if not text.strip():
            i += 1
            if rows:
                break
            continue
        if END.match(text):
            break
        cells = [(m.start(), m.group(0).strip()) for m in re.finditer(r"[^\t]+", text) if m.group(0).strip()]
        name, abbr, year = None, None, None
        for offset, cell in cells:
            if cell in type_labels:
                current_type, current_type_start = cell, start + offset
            elif YEAR.match(cell):
                year = cell
            elif LATIN.match(cell) and name is not None:
                abbr = cell
            elif name is None:
                name = cell
        if name:
            lstrip = len(text) - len(text.lstrip())
            rows.append(
                TableRow(
                    line_start=start + lstrip,
                    line_end=start + len(text.rstrip()),
                    text=text.strip(),
                    type_label=current_type,
                    type_start=current_type_start,
                    name=name,
                    abbreviation=abbr,
                    year=year,
                    caption=caption,
                )
            )
        i += 1
    return rows, i
