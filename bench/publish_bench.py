"""Publish benchmark: time `mineralgraph publish` of the built graph (dist/) into real stores
started here: `oxigraph serve`, and Apache Jena Fuseki when its jar is installed (.ci/run fetches
it with Maven where the Maven repository is reachable). Prints a table: graphs, triples, upload
(one PUT per named graph), verification (one count query), repeated --runs times on a fresh store.
With --sources N, also a corpus grown to N sources as bench/scale.py grows it (built first, in a
throw-away copy of the project; the build is not timed here).

    .venv/bin/python bench/publish_bench.py            # dist/ must be built
    .venv/bin/python bench/publish_bench.py --runs 3 --sources 200 --work /tmp/publish-corpora
    MINERALGRAPH_FUSEKI_HEAP=4g ...   # Fuseki --mem keeps the data on its heap (default 512m)
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the store launchers the publish tests use
sys.path.insert(0, str(ROOT / "bench"))  # scale.grow: the corpus of N sources

import stores  # noqa: E402

from mineralgraph.publish.upload import PublishError, Target, publish  # noqa: E402


def _rows(corpus: str, dist: Path, runs: int) -> list[tuple]:
    rows = []
    for name, launcher in (("oxigraph serve", stores.oxigraph), ("Fuseki 5.6.0 (--mem)", stores.fuseki)):
        try:
            totals, uploads, verifies, report = [], [], [], None
            for _ in range(runs):
                with launcher() as store:
                    t0 = time.perf_counter()
                    report = publish(dist, Target(store.gsp, store.query))
                    totals.append(time.perf_counter() - t0)
                uploads.append(report.upload_seconds)
                verifies.append(report.verify_seconds)
            rows.append((corpus, name, str(len(report.graphs)), str(report.triples), f"{statistics.median(totals):.2f}",
                         f"{statistics.median(uploads):.2f}", f"{min(uploads):.2f}–{max(uploads):.2f}",
                         f"{statistics.median(verifies):.3f}"))
        except RuntimeError as err:
            rows.append((corpus, name, "-", "-", "-", "skipped", str(err).split(":")[0], "-"))
        except PublishError as err:  # a store that gives up is a result too
            rows.append((corpus, name, "-", "-", "-", "failed", str(err).splitlines()[0][-90:], "-"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sources", type=int, nargs="*", default=[], help="also a corpus of N sources (scale.py's)")
    parser.add_argument("--work", type=Path, help="keep the grown corpora here, and reuse them on the next run")
    args = parser.parse_args()
    rows = _rows("seeds (5 sources)", args.dist, args.runs)
    for n in args.sources:
        import scale

        work = args.work / f"corpus-{n}" if args.work else Path(tempfile.mkdtemp(prefix=f"mineralgraph-publish-{n}-"))
        if not (work / "dist" / "manifest.json").is_file():  # grown and built once, kept with --work
            scale.grow(work, n)
            subprocess.run([sys.executable, "-m", "mineralgraph.cli", "build", "--root", str(work), "-q"], check=True,
                           stdout=subprocess.DEVNULL)
        rows += _rows(f"{n} sources", work / "dist", args.runs)
        if not args.work:
            shutil.rmtree(work)
    head = ("corpus", "store", "graphs", "triples", "total s (read dist + PUT + verify)",
            f"PUTs s (median of {args.runs})", "PUTs range", "verify s")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, tuple("-" * w for w in widths), *rows]:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
