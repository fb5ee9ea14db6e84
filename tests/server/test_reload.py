"""Hot reload: a new build written to dist/ is served without a restart, and a query that was
running when it arrived finishes on the old data."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from test_serve_command import _free_port, _processes_of, _wait_ready

DATA = Path(__file__).parent / "data"
# 4-way cross product of the fixture's 52 triples: 52**4 rows, a few seconds of counting.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(4)) + " }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
EXTRA = '\n<https://w3id.org/mineralgraph/graph/extra> { <https://w3id.org/mineralgraph/id/country/FRA> ' \
        '<http://www.w3.org/2004/02/skos/core#prefLabel> "France"@en . }\n'


def _publish(dist, trig: str, build: str) -> None:
    """Write a build the way the pipeline does: data first, the manifest last, each atomically."""
    for name, text in (("mineralgraph.trig", trig), ("manifest.json", json.dumps({"inputs_sha256": build}))):
        tmp = dist / (name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, dist / name)


def _count(url: str) -> int:
    r = requests.get(url + "/sparql", params={"query": COUNT}, timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("where", ["on disk", "in memory"])
def test_a_new_build_is_served_without_restart_and_running_queries_finish_on_the_old(tmp_path, where):
    dist = tmp_path / "dist"
    dist.mkdir()
    trig = (DATA / "mini.trig").read_text(encoding="utf-8")
    _publish(dist, trig, "build-A")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "mineralgraph.server", "--dist", str(dist), "--port", str(port),
                             "--workers", "2", "--reload-seconds", "0.2", *(["--memory"] if where == "in memory" else [])],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_ready(port).json()["build"] == "build-A"
        assert _count(url) == 52
        etag_a = requests.get(url + "/sparql", params={"query": COUNT}).headers["ETag"]
        slow = {}
        running = threading.Thread(target=lambda: slow.update(r=requests.get(url + "/sparql", params={"query": SLOW},
                                                                             timeout=60)))
        running.start()
        time.sleep(0.5)  # the slow query is in a worker of build A
        _publish(dist, trig + EXTRA, "build-B")
        for _ in range(300):
            if requests.get(url + "/readyz", timeout=5).json()["build"] == "build-B":
                break
            time.sleep(0.1)
        assert requests.get(url + "/readyz", timeout=5).json() == {"status": "ready", "triples": 53, "build": "build-B"}
        assert _count(url) == 53  # the same URL as before: not the cached answer of build A
        assert requests.get(url + "/sparql", params={"query": COUNT}).headers["ETag"] != etag_a
        r = requests.get(url + "/sparql", params={"query": 'SELECT ?s { ?s ?p "France"@en }'}, timeout=10)
        assert r.json()["results"]["bindings"][0]["s"]["value"].endswith("country/FRA")
        running.join(60)
        assert slow["r"].status_code == 200, slow["r"].text
        assert slow["r"].json()["results"]["bindings"][0]["n"]["value"] == str(52 ** 4)  # build A's data
        # Build A's zygote and workers are gone once its last query is done: server + 3 again.
        for _ in range(100):
            if len(_processes_of(port)) == 4:
                break
            time.sleep(0.05)
        assert len(_processes_of(port)) == 4, _processes_of(port)
        stores = tmp_path / ".mineralgraph-cache" / "store"  # serve's default, beside dist/
        if where == "in memory":
            assert not stores.exists()
            return
        # on disk: one store per build, each loaded beside the one served; a third build removes
        # the first's (nobody holds it), and keeps the one it replaced (its workers may still answer)
        assert len(list(stores.glob("build-*.loaded"))) == 2
        first = {p.name for p in stores.glob("build-*") if p.is_dir()}
        _publish(dist, trig + EXTRA.replace("France", "Francia"), "build-C")
        for _ in range(300):
            if requests.get(url + "/readyz", timeout=5).json()["build"] == "build-C":
                break
            time.sleep(0.1)
        assert _count(url) == 53
        kept = {p.name for p in stores.glob("build-*") if p.is_dir()}
        assert len(kept) == 2 and len(kept & first) == 1, (first, kept)
    finally:
        proc.terminate()
        proc.wait(20)
    for _ in range(100):
        if not _processes_of(port):
            break
        time.sleep(0.05)
    assert not _processes_of(port)
    shutil.rmtree(dist)
