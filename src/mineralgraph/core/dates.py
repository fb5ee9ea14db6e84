"""Dates as precise as their source: "2022" stays a year, "2022-06" a month, never a first day.

A date in the annotations is `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. In the graph it becomes a literal
of the matching datatype (xsd:gYear, xsd:gYearMonth, xsd:date), so every page, table and CLI
shows it as the source gave it. SPARQL cannot order a gYear against a date, so where queries
compare dates the graph also carries the first and last day the value covers (xsd:date).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import TIME, XSD

DATATYPE = {1: XSD.gYear, 2: XSD.gYearMonth, 3: XSD.date}
PRECISION = {1: TIME.unitYear, 2: TIME.unitMonth, 3: TIME.unitDay}
# OWL-Time's own property for an instant known to each precision
INSTANT_PROPERTY = {1: TIME.inXSDgYear, 2: TIME.inXSDgYearMonth, 3: TIME.inXSDDate}


@dataclass(frozen=True)
class DateAsGiven:
    text: str  # as written: 2022, 2022-06 or 2022-06-14
    earliest: datetime.date
    latest: datetime.date

    @property
    def parts(self) -> int:
        return len(self.text.split("-"))

    @property
    def literal(self) -> Literal:
        return Literal(self.text, datatype=DATATYPE[self.parts])

    @property
    def precision(self) -> URIRef:
        return PRECISION[self.parts]

    @property
    def instant_property(self) -> URIRef:
        return INSTANT_PROPERTY[self.parts]

    @property
    def earliest_literal(self) -> Literal:
        return Literal(self.earliest.isoformat(), datatype=XSD.date)

    @property
    def latest_literal(self) -> Literal:
        return Literal(self.latest.isoformat(), datatype=XSD.date)


def parse_date(value) -> DateAsGiven:
    """'2022', '2022-06' or '2022-06-14' (YAML may hand a datetime.date) -> DateAsGiven; ValueError names the problem."""
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    parts = text.split("-")
    if not (1 <= len(parts) <= 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4 and all(len(p) == 2 for p in parts[1:])):
        raise ValueError(f"date must be YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    year, month, day = (list(map(int, parts)) + [None, None])[:3]
    try:
        earliest = datetime.date(year, month or 1, day or 1)
        last_month = month or 12
        latest = datetime.date(year, last_month, day or calendar.monthrange(year, last_month)[1])
    except ValueError:
        raise ValueError(f"not a calendar date: {value!r}") from None
    return DateAsGiven(text, earliest, latest)
