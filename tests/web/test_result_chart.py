"""Which columns of a SELECT result become a chart (static/resultchart.js's `select`), run in Node
on hand-made SPARQL JSON results. Skipped where Node is not installed."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "src" / "mineralgraph" / "server" / "static" / "resultchart.js"
NODE = shutil.which("node") or shutil.which("nodejs")
XSD = "http://www.w3.org/2001/XMLSchema#"
ID = "https://w3id.org/mineralgraph/id/"

pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js to run the chart script")


def select(vars_, bindings):
    code = (f"require({json.dumps(str(SCRIPT))});"
            "const a = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
            "process.stdout.write(JSON.stringify(globalThis.MineralgraphResultChart.select(a[0], a[1])));")
    out = subprocess.run([NODE, "-e", code], input=json.dumps([vars_, bindings]), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def lit(value, datatype=None):
    t = {"type": "literal", "value": value}
    if datatype:
        t["datatype"] = XSD + datatype
    return t


def iri(rest):
    return {"type": "uri", "value": ID + rest}


def test_numeric_column_by_label_with_links():
    spec = select(["country", "countryLabel", "mechanisms"], [
        {"country": iri("country/JPN"), "countryLabel": lit("Japan"), "mechanisms": lit("7", "integer")},
        {"country": iri("country/USA"), "countryLabel": lit("United States"), "mechanisms": lit("9", "integer")}])
    assert spec["kind"] == "bar" and spec["series"] == ["mechanisms"]
    assert [c["label"] for c in spec["categories"]] == ["Japan", "United States"]
    assert spec["categories"][0]["iri"] == ID + "country/JPN"
    assert spec["data"] == [[7, 9]]


def test_plain_numbers_count_but_zero_padded_ids_do_not():
    spec = select(["sourceId", "claims", "share"], [
        {"sourceId": lit("000"), "claims": lit("12"), "share": lit("0.5")},
        {"sourceId": lit("004"), "claims": lit("139"), "share": lit("1.25")}])
    assert spec["kind"] == "bar" and spec["series"] == ["claims", "share"]
    assert [c["label"] for c in spec["categories"]] == ["000", "004"]
    assert spec["data"] == [[12, 139], [0.5, 1.25]]


def test_dates_keep_their_precision_and_time_order():
    spec = select(["asOf", "members"], [
        {"asOf": lit("2022-06", "gYearMonth"), "members": lit("11", "integer")},
        {"asOf": lit("2022", "gYear"), "members": lit("4", "integer")},
        {"asOf": lit("2024-02-11", "date"), "members": lit("14", "integer")}])
    assert spec["axis"] == "time"
    assert [c["label"] for c in spec["categories"]] == ["2022", "2022-06", "2024-02-11"]
    assert spec["data"] == [[4, 11, 14]]


def test_quote_offsets_are_not_quantities_so_members_are_counted_per_source():
    rows = [(m, s) for m, s in (("AUS", "000"), ("JPN", "000"), ("IND", "000"), ("JPN", "001"), ("AUS", "001"))]
    bindings = [{"member": iri(f"country/{m}"), "memberId": lit(m), "role": lit("member"), "sourceId": lit(s),
                 "source": iri(f"source/{s}"), "quote": lit("参与这项矿物安全合作伙伴关系的包括澳大利亚、日本……" * 3),
                 "start": lit("1311", "integer"), "end": lit("1373", "integer")} for m, s in rows]
    spec = select(["member", "memberId", "role", "sourceId", "quote", "start", "end", "source"], bindings)
    assert spec["kind"] == "count"
    assert spec["labelVar"] == "sourceId" and spec["counted"] == "memberId"
    assert [(c["label"], c["iri"]) for c in spec["categories"]] == [("000", ID + "source/000"), ("001", ID + "source/001")]
    assert spec["data"] == [[3, 2]]


def test_no_chart_says_why():
    only_text = select(["quote"], [{"quote": lit("美国和日本于2023年签署了关键矿产协定。")}])
    assert only_text["kind"] == "none" and "no numeric column" in only_text["reason"]
    unlabelled = select(["n"], [{"n": lit("3", "integer")}])
    assert unlabelled["kind"] == "none" and "no column to label them" in unlabelled["reason"]
    assert select(["a"], [])["reason"] == "No chart: the result has no rows."
