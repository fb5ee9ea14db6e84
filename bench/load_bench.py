"""How fast a build's dist/ becomes a store the server can answer from, one way against another.

Each way runs in a fresh child process (memory and time of its own), on the same dist/:
  nq+nt       the N-Quads, then the N-Triples union into the default graph (what the server did
              while the build still wrote mineralgraph.nt)
  nq+insert   the N-Quads, then the union made inside the store by one SPARQL INSERT
  nq+stream   the N-Quads, then the same file read as N-Triples, 16 MB at a time, into the
              default graph (store/load.py's _triples_blocks: what the server does now)
  ... lenient the same without pyoxigraph's IRI checks (the server's way once the N-Quads' sha256
              is verified against the manifest)
  disk-...    the server's `--store` first load (the bulk loader, into RocksDB)
Prints seconds, the ratio to the first row, the quads and the child's peak RSS. The N-Triples
union of the nq+nt rows is made once into a temporary directory, with the build's own code.

    .venv/bin/python bench/load_bench.py --dist dist
    .venv/bin/python bench/load_bench.py --dist /tmp/g1000/dist --ways nq+nt-lenient nq+stream-lenient
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from mineralgraph.publish.dist import NQUADS, NTRIPLES, _produce  # noqa: E402

CHILD = r'''
import json, resource, sys, time, pyoxigraph as ox
from mineralgraph.store.load import _triples_blocks
way, nq, nt, disk = sys.argv[1:5]
lenient = way.endswith("-lenient")
t0 = time.perf_counter()
store = ox.Store(disk) if way.startswith("disk") else ox.Store()
load = store.bulk_load if way.startswith("disk") else store.load
load(path=nq, format=ox.RdfFormat.N_QUADS, lenient=lenient)
if "nt" in way.replace("+", "-").split("-"):
    load(path=nt, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph(), lenient=lenient)
elif "stream" in way:
    for triples in _triples_blocks(nq):
        load(triples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph(), lenient=lenient)
else:
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
if way.startswith("disk"):
    store.flush()
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "quads": len(store),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
'''

WAYS = ["nq+nt", "nq+nt-lenient", "nq+insert-lenient", "nq+stream-lenient", "disk-nt-lenient", "disk-stream-lenient"]


def _reads_ntriples(way: str) -> bool:
    return "nt" in way.replace("+", "-").split("-")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dist", type=Path, default=Path("dist"))
    ap.add_argument("--ways", nargs="+", choices=WAYS, default=WAYS)
    args = ap.parse_args()
    nq = args.dist / NQUADS
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        nt = Path(tmp) / NTRIPLES
        if any(_reads_ntriples(w) for w in args.ways):
            t0 = time.perf_counter()
            _produce(NTRIPLES, lambda _n: nq, nt)
            print(f"N-Triples union made from {nq} in {time.perf_counter() - t0:.1f} s "
                  f"({nt.stat().st_size / 1e6:,.0f} MB; N-Quads {nq.stat().st_size / 1e6:,.0f} MB)")
        print(f"\n| way | seconds | ratio to {args.ways[0]} | quads | peak RSS (MB) |\n|---|---|---|---|---|")
        first = None
        for i, way in enumerate(args.ways):
            out = subprocess.run([sys.executable, "-c", CHILD, way, str(nq), str(nt), str(Path(tmp) / f"store{i}")],
                                 capture_output=True, text=True, check=True).stdout
            r = json.loads(out)
            first = first or r["seconds"]
            print(f"| {way} | {r['seconds']:.1f} | {r['seconds'] / first:.2f} | {r['quads']:,} | {r['rss_mb']:,} |",
                  flush=True)


if __name__ == "__main__":
    main()
