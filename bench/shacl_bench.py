"""pySHACL against the shapes compiled to SPARQL (validate/shaclsparql.py), on the seeds and on the seeds
replicated x10 and x50.

A replica copies every source graph under new ids: `/source/NNN`, `/claim/NNN/`, `/mention/NNN/`,
`/stmt/derivation/NNN` (and the source's `dcterms:identifier "NNN"`) are rewritten on every line that mentions a seed
source, in the source graphs and in the inferred and derived graphs alike; statements, the
gazetteer and the ontology are shared, so a replica repeats the seeds' facts as real sources do.

For each size it prints the triples, pySHACL's time (validator.shacl on an rdflib Graph, as
`mineralgraph validate` runs it), the compiled shapes' time (validator.shacl_store on a pyoxigraph
store laid out as the build's: data in the default graph, ontology in its named graph), the
ratio, whether both found the same results, and the SPARQL checks on the store. Times are CPU
seconds of the validating process (the machine is shared: wall time measures the neighbours);
loading the graphs is not timed. pySHACL runs in a child process, stopped after
--pyshacl-timeout seconds of wall time.

    python bench/shacl_bench.py                      # seeds, x10, x50
    python bench/shacl_bench.py --copies 1 10 50 200 --pyshacl-timeout 300
Run `mineralgraph build` first (it reads dist/mineralgraph.nq). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mineralgraph.build.workstore import BuildStore  # noqa: E402
from mineralgraph.core.namespaces import ONTOLOGY_GRAPH  # noqa: E402
from mineralgraph.validate.shaclsparql import as_stored  # noqa: E402
from mineralgraph.build.sourcegraphs import GraphChunk  # noqa: E402
from mineralgraph.validate.validator import load_shapes, shacl_store, store_checks
from mineralgraph.validate.validator import shacl  # noqa: E402

SEED_ID = re.compile(r"/(source|claim|mention|derivation)/(\d{3})\b")


def replicate(lines: list[str], copies: int) -> tuple[bytes, bytes]:
    """(data N-Triples, ontology N-Triples) of the seeds' N-Quads with copies-1 extra corpora."""
    seeds = sorted({m.group(2) for line in lines for m in SEED_ID.finditer(line)})
    data, ontology = [], []
    for line in lines:
        triple, graph = _split(line)
        if graph == str(ONTOLOGY_GRAPH):
            ontology.append(triple)
            continue
        data.append(triple)
        if not SEED_ID.search(triple):
            continue
        for k in range(1, copies):
            ids = {s: f"{k * len(seeds) + i:03d}" for i, s in enumerate(seeds)}
            copy = SEED_ID.sub(lambda m: f"/{m.group(1)}/{ids[m.group(2)]}", triple)
            data.append(re.sub(r'"(\d{3})"', lambda m: f'"{ids.get(m.group(1), m.group(1))}"', copy))
    return "".join(data).encode(), "".join(ontology).encode()


def _split(line: str) -> tuple[str, str]:
    """An N-Quads line as its N-Triples line and its graph IRI (the last term before ' .')."""
    body = line.rstrip().removesuffix(".").rstrip()
    if body.endswith(">") and body.count(" ") >= 3:
        head, graph = body.rsplit(" ", 1)
        if graph.startswith("<"):
            return head + " .\n", graph[1:-1]
    return body + " .\n", ""


def _keys(findings) -> set:
    return {(f.severity, as_stored(f.focus), f.path, f.source, f.component, as_stored(f.value or "")) for f in findings}


def _pyshacl_child(data: bytes, ontology: bytes, out) -> None:
    from rdflib import Graph

    shapes = load_shapes(ROOT / "shapes")
    g, ont = Graph(), Graph()
    g.parse(data=data, format="nt")
    ont.parse(data=ontology, format="nt")
    t = time.process_time()
    findings = shacl(g, shapes, ont)
    out.send((time.process_time() - t, _keys(findings)))


def run_pyshacl(data: bytes, ontology: bytes, timeout: float):
    """(seconds, result keys) or None when pySHACL did not finish within timeout."""
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_pyshacl_child, args=(data, ontology, send))
    child.start()
    got = receive.recv() if receive.poll(timeout) else None
    if got is None:
        child.kill()
    child.join()
    return got


def run_compiled(data: bytes, ontology: bytes):
    bstore = BuildStore()
    bstore.load(GraphChunk(str(ONTOLOGY_GRAPH), content=ontology))
    bstore.load(GraphChunk("https://w3id.org/mineralgraph/graph/data", content=data))
    shapes = load_shapes(ROOT / "shapes")
    t = time.process_time()
    findings = shacl_store(bstore.query_with_ontology, shapes)
    shacl_s = time.process_time() - t
    t = time.process_time()
    checks = store_checks(bstore, ROOT / "queries" / "checks" / "asserted") + store_checks(bstore, ROOT / "queries" / "checks")
    return shacl_s, _keys(findings), time.process_time() - t, len(checks)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=int, nargs="+", default=[1, 10, 50], help="corpus copies (1 = the seeds)")
    ap.add_argument("--pyshacl-timeout", type=float, default=900, help="wall seconds before pySHACL is stopped")
    args = ap.parse_args()
    nq = ROOT / "dist" / "mineralgraph.nq"
    if not nq.is_file():
        sys.exit(f"{nq} not found: run `mineralgraph build` first")
    lines = nq.read_text(encoding="utf-8").splitlines(keepends=True)
    seeds = len({m.group(2) for line in lines for m in SEED_ID.finditer(line)})

    print(f"{'copies':>6} {'sources':>7} {'triples':>9} {'pySHACL s':>10} {'compiled s':>10} {'ratio':>7} "
          f"{'results':>7} {'same':>5} {'checks s':>8}")
    for copies in args.copies:
        data, ontology = replicate(lines, copies)
        triples = data.count(b"\n")
        compiled_s, compiled, checks_s, _ = run_compiled(data, ontology)
        reference = run_pyshacl(data, ontology, args.pyshacl_timeout)
        if reference is None:
            py, ratio, same = f">{args.pyshacl_timeout:.0f}", f">{args.pyshacl_timeout / compiled_s:.0f}x", "?"
        else:
            py, ratio = f"{reference[0]:.2f}", f"{reference[0] / compiled_s:.0f}x"
            same = "yes" if reference[1] == compiled else "NO"
        print(f"{copies:>6} {seeds * copies:>7} {triples:>9} {py:>10} {compiled_s:>10.2f} {ratio:>7} "
              f"{len(compiled):>7} {same:>5} {checks_s:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
