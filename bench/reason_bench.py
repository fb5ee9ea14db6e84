"""The build's reasoner (reason/owl2rl.py + reason/reasoner.py) against owlrl, on the seeds and on copies of them.

The data is the built dist/ (built first if missing): the gazetteer graph plus the five source
graphs, copied k times under new IRIs (every IRI a source mints gets a -rK suffix, blank nodes
too; gazetteer entities such as countries stay shared, as they are across real sources). For
each size it times `infer_store` and, up to --owlrl-max copies, owlrl's full closure trimmed as
the build trims it (tests/owlrl_reference.py), and says whether the two inferred graphs are equal.

    python bench/reason_bench.py                        # copies 1, 10, 50; owlrl on all three
    python bench/reason_bench.py --copies 1 10 50 200 --owlrl-max 10
Times are wall-clock (the reasoner's CPU time beside it) on a shared machine: read the ratios,
not one figure. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import collections
import re
import resource
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the owlrl reference lives with the tests

from mineralgraph.core import ntriples  # noqa: E402
from mineralgraph.core.namespaces import GAZETTEER_GRAPH  # noqa: E402
from mineralgraph.build.ontology import load_ontology  # noqa: E402
from mineralgraph.pipeline import ensure_built  # noqa: E402
from mineralgraph.reason.reasoner import infer_store  # noqa: E402

# IRIs a source mints (entities, skolemised nodes) and blank node labels.
MINTED = re.compile(rb"<(https://w3id\.org/mineralgraph/(?:id|\.well-known/genid)/[^>]*)>|(_:[A-Za-z0-9]+)")


def graphs_of(nquads: Path) -> dict[str, bytes]:
    """N-Quads split into N-Triples per named graph."""
    out = collections.defaultdict(list)
    for line in nquads.read_bytes().splitlines(keepends=True):
        triple, graph = line.rstrip(b" .\n").rsplit(b" ", 1)
        out[graph[1:-1].decode()].append(triple + b" .\n")
    return {g: b"".join(lines) for g, lines in out.items()}


def replica(data: bytes, shared: set[bytes], k: int) -> bytes:
    suffix = f"-r{k}".encode()

    def rename(m):
        if m.group(2):
            return m.group(2) + b"r" + str(k).encode()
        return m.group(0) if m.group(1) in shared else b"<" + m.group(1) + suffix + b">"

    return MINTED.sub(rename, data)


def corpus(copies: int, gazetteer: bytes, sources: list[bytes], shared: set[bytes]) -> list[bytes]:
    return [gazetteer, *(s if k == 0 else replica(s, shared, k) for k in range(copies) for s in sources)]


def run_ours(files: list[bytes], ontology: Graph) -> tuple[float, float, bytes]:
    store = ox.Store()
    for f in files:
        store.load(f, format=ox.RdfFormat.N_TRIPLES)
    t0, cpu0 = time.perf_counter(), time.process_time()
    out = infer_store(store, ontology, files)
    return time.perf_counter() - t0, time.process_time() - cpu0, out


def run_owlrl(files: list[bytes], ontology: Graph) -> tuple[float, bytes]:
    from owlrl_reference import owlrl_inferred

    data = Graph()
    for f in files:
        data.parse(data=f, format="nt")
    t0 = time.perf_counter()
    inferred = owlrl_inferred(data, ontology)
    return time.perf_counter() - t0, ntriples.lines(inferred)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--copies", type=int, nargs="+", default=[1, 10, 50], help="copies of the five seeds")
    ap.add_argument("--owlrl-max", type=int, default=50, help="run owlrl only up to this many copies")
    args = ap.parse_args()

    graphs = graphs_of(ensure_built(ROOT) / "mineralgraph.nq")
    gazetteer = graphs[str(GAZETTEER_GRAPH)]
    sources = [data for g, data in sorted(graphs.items()) if "/graph/source/" in g]
    shared = {m.group(1) for m in MINTED.finditer(gazetteer) if m.group(1)}
    ontology = load_ontology(ROOT / "ontology")

    print(f"{'copies':>6} {'sources':>7} {'triples in':>10} {'inferred':>9} {'rules s':>8} {'cpu s':>6} {'owlrl s':>8} {'ratio':>6}  same")
    for copies in args.copies:
        files = corpus(copies, gazetteer, sources, shared)
        size = sum(f.count(b"\n") for f in files)
        ours_s, ours_cpu, ours = run_ours(files, ontology)
        inferred = ours.count(b"\n")
        row = f"{copies:>6} {copies * len(sources):>7} {size:>10,} {inferred:>9,} {ours_s:>8.2f} {ours_cpu:>6.2f}"
        if copies <= args.owlrl_max:
            owlrl_s, reference = run_owlrl(files, ontology)
            row += f" {owlrl_s:>8.1f} {owlrl_s / ours_s:>5.0f}x  {'yes' if reference == ours else 'NO'}"
        else:
            row += f" {'-':>8} {'-':>6}  -"
        print(row, flush=True)
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB")


if __name__ == "__main__":
    main()
