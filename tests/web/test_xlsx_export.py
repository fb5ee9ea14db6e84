"""Exports that paste (issue 22): every stored query downloads as XLSX, ids and dates as text cells
as given, numbers as numbers; by ?format=xlsx and by Accept."""
from __future__ import annotations

import io
import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from openpyxl import load_workbook

from mineralgraph.server.spreadsheet import MEDIA



def _sheet(body: bytes):
    return load_workbook(io.BytesIO(body)).active


def _examples(client):
    """(name, query string) for every stored query: its first documented example, or no parameters."""
    items = client.get("/queries", headers={"Accept": "application/json"}).get_json()["queries"]
    out = []
    for item in items:
        url = (item.get("example_urls") or [""])[0]
        out.append((item["name"], dict(parse_qsl(urlsplit(url).query))))
    return out


def test_every_stored_query_downloads_as_xlsx_matching_json(real_client):
    checked = 0
    for name, params in _examples(real_client):
        r = real_client.get(f"/queries/{name}", query_string={**params, "format": "xlsx"})
        if r.status_code == 406:  # a CONSTRUCT or ASK query has no rows to put in a sheet
            continue
        assert r.status_code == 200, (name, r.get_data(as_text=True)[:300])
        assert r.mimetype == MEDIA and f'filename="{name}.xlsx"' in r.headers["Content-Disposition"]
        data = json.loads(real_client.get(f"/queries/{name}", query_string={**params, "format": "json"}).get_data())
        ws = _sheet(r.get_data())
        rows = list(ws.iter_rows(values_only=True))
        assert list(rows[0]) == data["head"]["vars"], name
        assert len(rows) - 1 == len(data["results"]["bindings"]), name
        for row, binding in zip(rows[1:], data["results"]["bindings"]):
            for value, var in zip(row, data["head"]["vars"]):
                term = binding.get(var)
                if term is None or term["value"] == "":  # an empty cell either way
                    assert value in (None, "")
                elif isinstance(value, str):
                    assert value == term["value"], (name, var)
                else:  # a number only where the graph says so
                    assert term.get("datatype", "").startswith("http://www.w3.org/2001/XMLSchema#"), (name, var, term)
                    assert float(term["value"]) == value
        checked += 1
    assert checked >= 10


def test_ids_and_month_dates_stay_text(real_client):
    r = real_client.get("/queries/sources", query_string={"format": "xlsx"})
    if r.status_code == 404:
        pytest.skip("no `sources` stored query")
    ws = _sheet(r.get_data())
    header = [c.value for c in ws[1]]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    ids = [c for c in cells if isinstance(c.value, str) and len(c.value) == 3 and c.value.isdigit()]
    assert ids and all(c.data_type == "s" and c.number_format == "@" for c in ids), header


def test_xlsx_by_accept_and_month_dates(real_client):
    r = real_client.get("/queries/timeline", headers={"Accept": MEDIA})
    assert r.status_code == 200 and r.mimetype == MEDIA
    values = [c.value for row in _sheet(r.get_data()).iter_rows(min_row=2) for c in row]
    assert "2022-06" in values or any(isinstance(v, str) and len(v) == 7 and v[4] == "-" for v in values)
    assert not any(hasattr(v, "year") for v in values)  # no cell became a date
    # machines asking for SPARQL results still get them
    r = real_client.get("/queries/timeline", headers={"Accept": "text/csv"})
    assert r.mimetype == "text/csv"
