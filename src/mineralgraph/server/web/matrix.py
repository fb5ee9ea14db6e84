"""The roster matrix as it is on the mechanism page, wide (one row per member, one column per
source), to download: /roster-matrix?mechanism=MSP&format=xlsx|csv. The long form (one row per
cell) is the stored query's own answer at /queries/roster-matrix."""
from __future__ import annotations

import csv
import io

from flask import Response, request

from mineralgraph.storedqueries.model import BindError, Param

from .. import spreadsheet
from ..service import service
from . import roster
from .views import bp

WORDS = {"named": "named", "omitted-closed": "left out of a closed list", "omitted-open": "not in an open list",
         "no-roster": "no list of members"}


def wide(m: dict) -> tuple[list[str], list[list[str | None]]]:
    """Header and rows: a cell reads "named 2022-06-14", "CONFLICT: left out of a closed list 2022-06-14"."""
    header = ["member", "memberId"] + [
        (f"{s['count']} sources, {s['says']}, {s['date']}" if s.get("group") else f"{s['publisher']}, {s['date']} ({s['id']})")
        for s in m["sources"]]
    rows = []
    for mem in m["members"]:
        cells = []
        for c in mem["cells"]:
            if not c:
                cells.append(None)
                continue
            lo, hi = c.get("dates") or (c["as_of"], c["as_of"])  # a group's dates in full, not as the page shortens them
            shown = lo if lo == hi else f"{lo} – {hi}"
            words = WORDS[c["status"]] + (f" {shown}" if shown and c["status"] != "no-roster" else "")
            cells.append(("CONFLICT: " if c["conflict"] else "") + words)
        rows.append([mem["label"], mem["id"]] + cells)
    for k in m.get("counts", []):
        rows.append([f"{k['source']['id']} declares {k['declared']}", None]
                    + [f"{k['named']} named; {k['unnamed']} no source names"] + [None] * (len(header) - 3))
    return header, rows


@bp.get("/roster-matrix")
def matrix_download():
    value, fmt = request.args.get("mechanism", ""), request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        return Response("format: csv or xlsx\n", 400, mimetype="text/plain")
    try:
        iri = service().resolver().resolve(Param("mechanism", "mechanism"), value).value
    except BindError as err:
        return Response(f"{err}\n", 400, mimetype="text/plain")
    m = roster.matrix(iri)
    if m is None:
        return Response(f"no source speaks about the members of {value}\n", 404, mimetype="text/plain")
    header, rows = wide(m)
    name = "roster-matrix-" + (iri.rsplit("/", 1)[-1] or "mechanism")
    if fmt == "xlsx":
        body = spreadsheet.from_table(header, rows, "roster matrix")
        return Response(body, mimetype=spreadsheet.MEDIA,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header] + rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
