"""Validation of what an edit touched (validate/delta.py) against a full validation, after one
annotation's note is edited as bench/scale.py edits it, on a corpus grown to N sources.

    python bench/validate_delta_bench.py --sources 200
    python bench/validate_delta_bench.py --dumps BEFORE.nq AFTER.nq   # build stores dumped earlier

Builds the grown copy (without writing dist/), edits one annotation, builds again, takes the
union delta (triples added to and removed from the default graph), then times in one process:
validate_store on the edited store, and validate_delta from the first build's report (its SPARQL
walks parsed once: "cold", then read from their cache file: "warm"). The findings must be equal.
A benchmark, not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from mineralgraph.build.workstore import BuildStore  # noqa: E402
from mineralgraph.core.namespaces import ONTOLOGY_GRAPH  # noqa: E402
from mineralgraph.validate import delta as delta_mod  # noqa: E402
from mineralgraph.validate.validator import load_shapes, store_checks, validate_store  # noqa: E402


def _built(project: Path) -> BuildStore:
    from mineralgraph.core.paths import ProjectPaths
    from mineralgraph.pipeline import build

    return build(ProjectPaths(project), write=False).store


def _from_dump(path: Path) -> BuildStore:
    bstore = BuildStore()
    bstore.store.load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return bstore


def _union_lines(bstore: BuildStore) -> set[bytes]:
    data = bstore.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return set(data.splitlines())


def _timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", type=int, default=200)
    ap.add_argument("--dumps", nargs=2, type=Path, metavar=("BEFORE", "AFTER"),
                    help="N-Quads dumps of the build store before and after the edit (skips growing and building)")
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    shapes = load_shapes(ROOT / "shapes")
    checks = ROOT / "queries" / "checks"
    with tempfile.TemporaryDirectory(prefix="mg-valdelta-") as tmp:
        tmp = Path(tmp)
        if args.dumps:
            before, after = _from_dump(args.dumps[0]), _from_dump(args.dumps[1])
            label = f"dumps {args.dumps[0].name}, {args.dumps[1].name}"
        else:
            from scale import edit_one_annotation, grow

            project = tmp / "project"
            project.mkdir()
            grow(project, args.sources)
            before = _built(project)
            edit_one_annotation(project)
            after = _built(project)
            checks = project / "queries" / "checks"
            label = f"{args.sources} sources"
        old, new = _union_lines(before), _union_lines(after)
        added, removed = sorted(new - old), sorted(old - new)
        previous = validate_store(before, shapes, checks, args.jobs)
        del before, old, new
        full, t_full = _timed(validate_store, after, shapes, checks, args.jobs)
        cache = tmp / "walks.json"
        _, t_checks = _timed(lambda: [store_checks(after, d, args.jobs) for d in (checks / "asserted", checks)])
        affected, t_aff = _timed(delta_mod.affected_focus, after, shapes, added, removed)
        cold, t_cold = _timed(delta_mod.validate_delta, after, shapes, checks, previous, added, removed, args.jobs, cache)
        warm, t_warm = _timed(delta_mod.validate_delta, after, shapes, checks, previous, added, removed, args.jobs, cache)
    depths = delta_mod.reach(shapes)
    same = cold.findings == full.findings and warm.findings == full.findings
    print(f"\n## validate_delta vs validate_store ({label}; {len(added)} triples added, {len(removed)} removed)\n")
    print(f"| | seconds | vs full |")
    print(f"|---|---:|---:|")
    print(f"| validate_store (full) | {t_full:.2f} | 1.00 |")
    print(f"| validate_delta, SPARQL walks parsed (cold) | {t_cold:.2f} | {t_cold / t_full:.2f} |")
    print(f"| validate_delta, walks from the cache (warm) | {t_warm:.2f} | {t_warm / t_full:.3f} |")
    print(f"| the SPARQL checks alone, in full (part of the full run) | {t_checks:.2f} | {t_checks / t_full:.3f} |")
    print(f"| affected_focus alone (cold) | {t_aff:.2f} | |")
    print(f"\naffected: {len(affected.nodes)} focus nodes over {len(affected.focus)} shapes; "
          f"run in full: {sorted(affected.full) or 'none'}{' (everything)' if affected.everything else ''}")
    counts = {d: sum(1 for v in depths.values() if v == d) for d in sorted({v for v in depths.values()}, key=str)}
    print("reach of the shapes (longest walk in triples: sources): "
          + ", ".join(f"{d if d is not None else 'unbounded'}: {n}" for d, n in counts.items()))
    print(f"findings: {len(full.findings)} ({full.summary()}); delta's identical, in order: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
