"""HTTP caching on every GET: ETag from the build hash, Last-Modified from the build time,
304 on If-None-Match / If-Modified-Since, Cache-Control; none of it on errors or /healthz."""
from __future__ import annotations

import json
import shutil
from email.utils import format_datetime, parsedate_to_datetime
from datetime import timedelta

import pytest
import requests

GETS = ["/", "/sparql", "/sparql?query=ASK%7B%7D", "/void", "/store?default", "/queries",
        "/openapi.json", "/id/country/JPN", "/id/mineral/critical.ttl", "/dump/mineralgraph.trig",
        "/static/web.css"]


@pytest.mark.parametrize("path", GETS)
def test_every_get_has_validators_and_answers_304(live, path):
    r = requests.get(live.url + path)
    assert r.status_code == 200, (path, r.status_code, r.text[:200])
    etag, modified = r.headers["ETag"], r.headers["Last-Modified"]
    assert etag.startswith('"') and etag.endswith('"')
    assert r.headers["Cache-Control"].startswith("public, max-age=")
    assert "Accept" in r.headers["Vary"]
    again = requests.get(live.url + path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    assert requests.get(live.url + path, headers={"If-Modified-Since": modified}).status_code == 304
    assert requests.head(live.url + path, headers={"If-None-Match": etag}).status_code == 304


def test_etag_differs_per_representation(live):
    turtle = requests.get(live.url + "/id/country/JPN", headers={"Accept": "text/turtle"})
    jsonld = requests.get(live.url + "/id/country/JPN", headers={"Accept": "application/ld+json"})
    assert turtle.headers["ETag"] != jsonld.headers["ETag"]
    # The Turtle ETag does not validate the JSON-LD representation.
    r = requests.get(live.url + "/id/country/JPN", headers={"Accept": "application/ld+json",
                                                          "If-None-Match": turtle.headers["ETag"]})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/ld+json")


def test_stale_validators_get_the_full_answer(live):
    r = requests.get(live.url + "/void")
    built = parsedate_to_datetime(r.headers["Last-Modified"])
    older = format_datetime(built - timedelta(seconds=1), usegmt=True)
    assert requests.get(live.url + "/void", headers={"If-Modified-Since": older}).status_code == 200
    assert requests.get(live.url + "/void", headers={"If-None-Match": '"other"'}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    r2 = requests.get(live.url + "/void", headers={"If-None-Match": '"other"', "If-Modified-Since": r.headers["Last-Modified"]})
    assert r2.status_code == 200
    assert requests.get(live.url + "/void", headers={"If-Modified-Since": "not a date"}).status_code == 200
    assert requests.get(live.url + "/void", headers={"If-None-Match": "*"}).status_code == 304


def test_errors_and_health_are_not_cached(live):
    r = requests.get(live.url + "/id/country/NOPE")
    assert r.status_code == 404 and "ETag" not in r.headers and r.headers["Cache-Control"] == "no-store"
    r = requests.get(live.url + "/healthz")
    assert r.status_code == 200 and "ETag" not in r.headers
    r = requests.post(live.sparql, data={"query": "ASK {}"})
    assert r.status_code == 200 and "ETag" not in r.headers


def test_etag_comes_from_the_build_hash(live, tmp_path, start_server, dist_dir):
    same, other = tmp_path / "same", tmp_path / "other"
    shutil.copytree(dist_dir, same)  # the same build copied elsewhere: same ETags
    shutil.copytree(dist_dir, other)
    (other / "manifest.json").write_text(json.dumps({"inputs_sha256": "another build"}))
    host = {"Host": live.url.removeprefix("http://")}
    copies = [start_server(d, workers=1, timeout=5) for d in (same, other)]  # other settings, same answers
    for path in ("/void", "/id/country/JPN"):
        mine = requests.get(live.url + path).headers["ETag"]
        same_build, new_build = (requests.get(c.url + path, headers=host).headers["ETag"] for c in copies)
        assert same_build == mine and new_build != mine
