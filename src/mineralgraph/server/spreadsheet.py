"""A SELECT answer as an XLSX workbook (openpyxl), for stored-query downloads that paste into a
spreadsheet as the page shows them: an id like 001 or a date like 2022-06 would become the number 1
or a date in a CSV opened by a spreadsheet program; here every value is a text cell as given, except
the xsd numbers, which stay numbers so they add up. Nothing is read as a formula."""
from __future__ import annotations

import io
import json

from openpyxl import Workbook
from openpyxl.styles import Font

MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short",
                             "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger")}
MAX_WIDTH = 60  # characters: a long quote wraps in its cell rather than making the sheet unreadable


def _cell_value(term: dict):
    if term.get("datatype") in NUMERIC:
        try:
            number = float(term["value"])
            return int(number) if number.is_integer() and "." not in term["value"] else number
        except ValueError:
            pass
    return term["value"]


def from_sparql_json(body: bytes | str, title: str) -> bytes:
    """SPARQL JSON results → one sheet: the variables as a bold, frozen header row, then the rows."""
    data = json.loads(body)
    variables = data["head"]["vars"]
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31] or "answer"  # Excel's limit on a sheet name
    ws.append(variables)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(v) for v in variables]
    for r, binding in enumerate(data["results"]["bindings"], start=2):
        for c, var in enumerate(variables, start=1):
            term = binding.get(var)
            if term is None:
                continue
            value = _cell_value(term)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # as given: "=…" is text, not a formula
                cell.number_format = "@"  # and stays text when edited
            widths[c - 1] = max(widths[c - 1], min(len(str(value)), MAX_WIDTH))
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = width + 2
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def from_table(header: list[str], rows: list[list[str | None]], title: str) -> bytes:
    """A table of text as laid out on a page (the roster matrix, wide) → one sheet, every cell
    text as given (ids like 001, dates like 2022-06), the header bold and frozen with the first column."""
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31] or "table"
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in header]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = ws.cell(row=r, column=c, value=str(value))
            cell.data_type = "s"
            cell.number_format = "@"
            widths[c - 1] = max(widths[c - 1], min(len(str(value)), MAX_WIDTH))
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = min(width, MAX_WIDTH) + 2
    ws.freeze_panes = "B2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
