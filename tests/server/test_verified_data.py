"""Only verified data is served (issue 18): dist/ must match its manifest (sizes, sha256, quad
counts) before it is loaded or hot-reloaded, and an on-disk store is rebuilt when its files are
not the ones written at load time."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mineralgraph.store.load import DistMismatch, load_dist
from mineralgraph.store.ondisk import StoreDirectory


@pytest.fixture
def real_dist(tmp_path, dist_dir_real):
    copy = tmp_path / "dist"
    shutil.copytree(dist_dir_real, copy)
    return copy


@pytest.fixture(scope="module")
def dist_dir_real():
    from mineralgraph.pipeline import ensure_built

    return ensure_built()


def _cut_nquads(dist):
    """N-Quads cut at a line boundary, as a half-finished copy leaves it."""
    nq = dist / "mineralgraph.nq"
    lines = nq.read_bytes().splitlines(keepends=True)
    nq.write_bytes(b"".join(lines[: len(lines) // 2]))


def test_the_real_build_verifies_and_loads(real_dist):
    store = load_dist(real_dist)
    assert len(store) > 40_000


def test_a_truncated_dump_is_refused_naming_it(real_dist):
    _cut_nquads(real_dist)
    with pytest.raises(DistMismatch, match=r"mineralgraph\.nq: .* bytes, manifest\.json says"):
        load_dist(real_dist)


def test_a_dump_with_the_right_size_but_other_bytes_is_refused(real_dist):
    nq = real_dist / "mineralgraph.nq"
    data = bytearray(nq.read_bytes())
    data[len(data) // 2] ^= 0x01
    nq.write_bytes(bytes(data))
    with pytest.raises(DistMismatch, match="sha256"):
        load_dist(real_dist)


def test_a_manifest_that_announces_other_counts_is_refused(real_dist):
    import json

    manifest = json.loads((real_dist / "manifest.json").read_text())
    manifest["triples"] += 1
    (real_dist / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DistMismatch, match="quads, manifest.json announces"):
        load_dist(real_dist)


def test_on_disk_store_is_reused_when_intact_and_rebuilt_when_damaged(real_dist, tmp_path, caplog):
    store_path = tmp_path / "store"
    first = load_dist(real_dist, store_path)
    count = len(first)
    del first
    caplog.clear()
    again = load_dist(real_dist, store_path)
    assert len(again) == count and "rebuilding" not in caplog.text
    del again
    sst = sorted(store_path.glob("*.sst"), key=lambda p: p.stat().st_size)[-1]
    data = bytearray(sst.read_bytes())
    data[len(data) // 2] ^= 0xFF  # flipped bytes, same size
    sst.write_bytes(bytes(data))
    with caplog.at_level("WARNING", logger="mineralgraph.store"):
        healed = load_dist(real_dist, store_path)
    assert "does not have the checksum" in caplog.text
    assert len(healed) == count
    del healed
    sst = sorted(store_path.glob("*.sst"))[0]
    sst.unlink()
    caplog.clear()
    with caplog.at_level("WARNING", logger="mineralgraph.store"):
        assert len(load_dist(real_dist, store_path)) == count
    assert "store files differ" in caplog.text


def test_hot_reload_of_a_partial_dist_keeps_serving_the_old_build(real_dist, start_server):
    import json
    import time

    import requests

    live = start_server(real_dist)
    before = requests.get(live.url + "/healthz").json()
    turtle = requests.get(live.url + "/dump/mineralgraph.ttl")  # made for the served build, kept in the dump cache
    sums_before = requests.get(live.url + "/dump/SHA256SUMS").text
    manifest = json.loads((real_dist / "manifest.json").read_text())
    manifest["inputs_sha256"] = "f" * 64  # a new build hash, as a half-copied new build has
    _cut_nquads(real_dist)
    (real_dist / "manifest.json").write_text(json.dumps(manifest))
    from mineralgraph.server import reload

    state = live.app.extensions["mineralgraph"]
    with pytest.raises(DistMismatch):
        reload.swap(live.app, "f" * 64)
    time.sleep(0.1)
    after = requests.get(live.url + "/healthz").json()
    assert after["triples"] == before["triples"]
    assert state.build_hash != "f" * 64
    assert requests.get(live.url + "/dump/SHA256SUMS").text == sums_before
    # The files on disk are no longer the served build's: never sent as if they were.
    r = requests.get(live.url + "/dump/mineralgraph.nq")
    assert r.status_code == 503 and "no longer the file of the build being served" in r.text
    # nor is a dump not made yet, which would be made from them; one made before is still the served build's
    assert requests.get(live.url + "/dump/mineralgraph.jsonld").status_code == 503
    again = requests.get(live.url + "/dump/mineralgraph.ttl")
    assert (turtle.status_code, again.status_code) == (200, 200) and again.content == turtle.content


def test_a_dump_left_for_later_is_made_once_on_first_request_then_listed(real_dist, start_server):
    """The build writes the N-Quads only; /dump/mineralgraph.ttl.gz is made on its
    first request, once even when two requests ask at the same moment, in the dump cache beside
    dist/ (dist/ itself untouched), and from then on listed with its size and sha256."""
    import gzip
    import hashlib
    from concurrent.futures import ThreadPoolExecutor

    import pyoxigraph as ox
    import requests

    before = sorted(p.name for p in real_dist.iterdir())
    live = start_server(real_dist)
    index = {f["name"]: f for f in requests.get(live.url + "/dump/").json()["files"]}
    assert index["mineralgraph.ttl.gz"]["sha256"] is None and index["mineralgraph.ttl.gz"]["deferred"]
    page = requests.get(live.url + "/dump/", headers={"Accept": "text/html"}).text
    assert '<a href="/dump/mineralgraph.nt">mineralgraph.nt</a>' in page and "made on first request" in page
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: requests.get(live.url + "/dump/mineralgraph.ttl.gz"), range(2)))
    assert [a.status_code for a in answers] == [200, 200] and answers[0].content == answers[1].content
    turtle = gzip.decompress(answers[0].content)
    assert turtle == requests.get(live.url + "/dump/mineralgraph.ttl").content
    # the union graph in Turtle holds exactly the triples of the N-Quads the build wrote
    def triples(quads):
        return {(q.subject, q.predicate, q.object) for q in quads}
    assert triples(ox.parse(turtle, format=ox.RdfFormat.TURTLE)) == \
        triples(ox.parse(path=str(real_dist / "mineralgraph.nq")))
    index = {f["name"]: f for f in requests.get(live.url + "/dump/").json()["files"]}
    digest = hashlib.sha256(answers[0].content).hexdigest()
    assert (index["mineralgraph.ttl.gz"]["bytes"], index["mineralgraph.ttl.gz"]["sha256"]) == (len(answers[0].content), digest)
    assert f"{digest}  mineralgraph.ttl.gz" in requests.get(live.url + "/dump/SHA256SUMS").text.splitlines()
    assert sorted(p.name for p in real_dist.iterdir()) == before
    made = sorted(p.name for p in (real_dist.parent / ".mineralgraph-cache" / "dumps").glob("*/*") if not p.name.startswith(".lock"))
    # Turtle is made from the N-Triples union, itself made on demand: both in the cache
    assert made == ["mineralgraph.nt", "mineralgraph.nt.json", "mineralgraph.ttl", "mineralgraph.ttl.gz",
                    "mineralgraph.ttl.gz.json", "mineralgraph.ttl.json"]


def _mini_dist(path, extra: str = ""):
    path.mkdir()
    trig = (Path(__file__).parent / "data" / "mini.trig").read_text(encoding="utf-8")
    (path / "mineralgraph.trig").write_text(trig + extra, encoding="utf-8")
    (path / "manifest.json").write_text('{"inputs_sha256": "%s"}' % path.name)
    return path


def test_on_disk_stores_are_one_per_build_shared_and_removed_once_nobody_holds_them(tmp_path):
    """`serve` keeps one store per build under its --store directory (store/ondisk.py); servers
    sharing the directory (here two StoreDirectory objects, whose locks conflict as two
    processes' do) reuse a build's store and remove none that another still holds."""
    a = _mini_dist(tmp_path / "a")
    b = _mini_dist(tmp_path / "b", '\n<https://w3id.org/mineralgraph/graph/x> { <https://w3id.org/mineralgraph/id/country/FRA> '
                                   '<http://www.w3.org/2004/02/skos/core#prefLabel> "France"@en . }\n')
    root = tmp_path / "stores"
    one, two = StoreDirectory(root), StoreDirectory(root)
    store_a, _, path_a = one.load(a)
    marker = path_a.with_name(path_a.name + ".loaded")
    stamp = marker.stat().st_mtime_ns
    again, _, same = two.load(a)  # the same build: reused, not loaded again
    assert same == path_a and marker.stat().st_mtime_ns == stamp and len(again) == len(store_a) == 52 + 52
    store_b, manifest_b, path_b = two.load(b)
    assert path_b != path_a and len(store_b) == 53 + 53 and manifest_b == {"inputs_sha256": "b"}
    two.release_all_but(path_b)
    assert path_a.is_dir()  # `one` still serves it
    one.release_all_but()
    assert not path_a.exists() and not marker.exists() and path_b.is_dir()  # nobody held a's store
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "CURRENT").write_text("MANIFEST-000001\n")  # a single store, as --store kept it before
    with pytest.raises(ValueError, match="earlier version"):
        StoreDirectory(tmp_path / "old")
