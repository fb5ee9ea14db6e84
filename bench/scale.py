"""How the build, the store and the stored queries grow with the corpus.

Grows a throw-away copy of the project to N sources (the five seeds, then replicas of them under
new ids: each replica's text gets one extra first line, its own sources.yaml entry and copies of
its annotation files), with variations so that copies disagree as real sources do: dates shift
by a few days, a member drops out of a closed roster, refining shares move by a point or two.
For each N it prints build time per step, peak memory, the size of dist/ (all of it, and without
.gz copies), a rebuild after one annotation's note is edited (time per step of both builds), the
same rebuild in a process that keeps its build store (`build --watch`), then in that process a
source added and the same source removed again, the
store's load time and memory (in memory, and on disk as
`serve` keeps it by default: the first load after a build and each later start), the time
`mineralgraph serve` takes to be ready (each way, and on disk after a note is edited and built
again, the new store made from the last one's), the median latency of every stored query's
examples, in-process, on the store in memory and on disk, and the bytes and first-request time of
the main pages (PAGES: the MSP and Japan pages, the HTML answers of mechanism-members and
roster-matrix for the MSP), served in-process by the real app and query workers.

    python bench/scale.py                 # N = 5, 50, 200, 1000
    python bench/scale.py --quick         # N = 5, 50
    python bench/scale.py --sizes 5 100   # any sizes
    python bench/scale.py --sizes 5 50 200 --build-only   # dist/, the build and the rebuild only
To compare two versions in one session, run it from a snapshot of each (`git archive REV | tar -x
-C DIR`, then `PYTHONPATH=DIR/src python DIR/bench/scale.py ...`): it builds the copy it grows.
Nothing here asserts a time; the machine is shared, so read ratios and growth, not one figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIRS = ["seeds", "ontology", "shapes", "queries"]

# Variations per base source: (text before, text after, annotation before, annotation after).
# Each keeps the replica's quotes verbatim in its text, so it builds like a real source.
ROSTER = "参与这项矿物安全合作伙伴关系的包括澳大利亚、加拿大、芬兰、法国、德国、日本、韩国、瑞典、英国、美国和欧盟委员会。"


def _variations(base: str, k: int) -> list[tuple[str, str]]:
    if base == "001" and k % 3:
        dropped = ["芬兰、", "瑞典、", "韩国、"][k % 3]
        return [(ROSTER, ROSTER.replace(dropped, ""))]
    if base == "003" and k % 2:
        d = 1 + k % 3
        return [("全球70%的钴", f"全球{70 + d}%的钴"),
                ('mineral: cobalt, value: 70, unit: percent, value_text: "70%"',
                 f'mineral: cobalt, value: {70 + d}, unit: percent, value_text: "{70 + d}%"')]
    return []


def _shift(date: str | None, days: int) -> str | None:
    if not date or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(date)):
        return date
    return (dt.date.fromisoformat(str(date)) + dt.timedelta(days=days)).isoformat()


def grow(target: Path, n: int) -> None:
    """A copy of the project with n sources."""
    for d in DATA_DIRS:
        shutil.copytree(ROOT / d, target / d)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    add_replicas(target, n)


def remove_last_source(target: Path) -> None:
    """The project's last source (a replica) taken out: its entry, text, annotation files and
    cache entry; add_replicas puts the same one back."""
    import yaml

    seeds = target / "seeds"
    entries = yaml.safe_load((seeds / "sources.yaml").read_text(encoding="utf-8"))
    last = entries.pop()
    (seeds / last["file"]).unlink()
    for ann in (seeds / "annotations").glob(f"{last['id']}*.yaml"):
        if ann.stem.split("-", 1)[0] == str(last["id"]):
            ann.unlink()
    (seeds / "sources.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for cached in (target / ".mineralgraph-cache").glob(f"source-{last['id']}.*"):
        cached.unlink()  # put back, it is a new source: assembled again, not taken from the cache


def add_replicas(target: Path, n: int) -> None:
    """Replicas of the seeds added to the project at `target` until it has n sources."""
    import yaml

    seeds = target / "seeds"
    entries = yaml.safe_load((seeds / "sources.yaml").read_text(encoding="utf-8"))
    seed_count = len(yaml.safe_load((ROOT / "seeds" / "sources.yaml").read_text(encoding="utf-8")))
    bases = {str(e["id"]): e for e in entries[:seed_count]}  # the seeds come first
    base_ids = sorted(bases)
    out = [dict(e) for e in entries]
    for i in range(len(entries), n):
        base = bases[base_ids[i % len(base_ids)]]
        sid, k = f"{i:03d}", i // len(base_ids)
        changes = _variations(str(base["id"]), k)
        text = (seeds / base["file"]).read_text(encoding="utf-8")
        for before, after in changes:
            text = text.replace(before, after)
        text = f"Replica {sid} of source {base['id']}.\n" + text
        data = text.encode("utf-8")
        name = f"{sid}_{hashlib.sha256(data).hexdigest()[:16]}.txt"
        (seeds / name).write_bytes(data)
        entry = {**base, "id": sid, "file": name, "sha256": hashlib.sha256(data).hexdigest()}
        days = k % 300
        entry["date"] = _shift(base.get("date"), days)
        out.append(entry)
        for ann in sorted((seeds / "annotations").glob(f"{base['id']}*.yaml")):
            if ann.stem.split("-", 1)[0] != str(base["id"]):
                continue
            body = ann.read_text(encoding="utf-8").replace(f'source: "{base["id"]}"', f'source: "{sid}"')
            for before, after in changes:
                body = body.replace(before, after)
            body = re.sub(r"(as_of: )(\d{4}-\d{2}-\d{2})", lambda m: m.group(1) + _shift(m.group(2), days), body)
            (seeds / "annotations" / (sid + ann.name[len(str(base["id"])):])).write_text(body, encoding="utf-8")
    (seeds / "sources.yaml").write_text(yaml.safe_dump(out, allow_unicode=True, sort_keys=False), encoding="utf-8")


CHILD_BUILD = """
import json, resource, sys, time
from pathlib import Path
from mineralgraph.core.paths import ProjectPaths
from mineralgraph.pipeline import build
t0 = time.perf_counter()
r = build(ProjectPaths(Path(sys.argv[1])))
print(json.dumps({"wall": time.perf_counter() - t0, "timings": r.timings, "triples": r.manifest["triples"],
  "rss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
  "rss_workers_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""

# `build --watch`: the process keeps its build store, and the rebuild after an edit updates it
CHILD_WATCH = """
import json, sys, time, yaml
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from scale import add_replicas, edit_one_annotation, remove_last_source
from mineralgraph.core.paths import ProjectPaths
from mineralgraph.incremental import KeptStore
from mineralgraph.pipeline import build
paths, kept = ProjectPaths(Path(sys.argv[1])), KeptStore()
n = len(yaml.safe_load((paths.root / "seeds" / "sources.yaml").read_text(encoding="utf-8")))
if n >= 1000:  # source ids have three digits: the last one is taken out, to be added below
    remove_last_source(paths.root)
    n -= 1
build(paths, kept=kept)  # the watch's first build: the store loaded, and kept
edit_one_annotation(paths.root)
t0 = time.perf_counter()
r = build(paths, kept=kept)
note = {"wall": time.perf_counter() - t0, "timings": r.timings, "triples": r.manifest["triples"]}
add_replicas(paths.root, n + 1)  # a source added: every derivation rule reads what it brings
t0 = time.perf_counter()
r = build(paths, kept=kept)
added = {"wall": time.perf_counter() - t0, "timings": r.timings}
remove_last_source(paths.root)  # the same source taken out again: reasoning retracts (DRed), rules re-run
t0 = time.perf_counter()
r = build(paths, kept=kept)
print(json.dumps({**note, "added": added, "removed": {"wall": time.perf_counter() - t0, "timings": r.timings}}))
"""

CHILD_SERVE = """
import json, os, resource, select, statistics, sys, time
from pathlib import Path
from mineralgraph.store.load import load_dist
from mineralgraph.storedqueries import load_all
from mineralgraph.storedqueries.run import LocalRunner
t0 = time.perf_counter()
store = load_dist(Path(sys.argv[1]), Path(sys.argv[5]) if len(sys.argv) > 5 else None)  # in memory, or on disk
load = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
runner = LocalRunner(store)
len(runner.resolver.entries)  # the entity index read here, once, not in every forked child below
repeat, limit = int(sys.argv[3]), float(sys.argv[4])

def example(q, ex):
    times, rows = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        answer = runner.run(q, ex)
        rows = len(json.loads(answer["body"])["results"]["bindings"]) if answer.get("body", b"")[:1] == b"{" else None
        times.append(time.perf_counter() - t)
        if sum(times) > limit / 2:
            break
    return {"median_ms": statistics.median(times) * 1000, "rows": rows, "runs": len(times)}

def timed(q, ex):
    # each example in a forked child, so one that runs away is stopped at the limit (a query inside
    # the store cannot be interrupted) and the others are still measured
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            out = example(q, ex)
        except Exception as exc:
            out = {"error": str(exc)[:80]}
        os.write(w, json.dumps(out).encode())
        os._exit(0)
    os.close(w)
    ready, _, _ = select.select([r], [], [], limit)
    if not ready:
        os.kill(pid, 9)
        out = {"error": f"over {limit:.0f} s"}
    else:
        data = b"".join(iter(lambda: os.read(r, 65536), b""))
        out = json.loads(data) if data else {"error": "child died"}
    os.close(r)
    os.waitpid(pid, 0)
    return out

out = {"load_s": load, "load_rss_mb": rss, "queries": {}}
for name, q in sorted(load_all(Path(sys.argv[2])).items()):
    for i, ex in enumerate(q.examples):
        out["queries"][f"{name}#{i + 1}"] = dict(timed(q, ex), example=q.example_lines[i])
print(json.dumps(out))
"""


CHILD_DISK = """
import json, resource, sys, time
from pathlib import Path
from mineralgraph.store.load import load_dist
t0 = time.perf_counter()
store = load_dist(Path(sys.argv[1]), Path(sys.argv[2]))
n = len(store)
print(json.dumps({"s": time.perf_counter() - t0, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "quads": n}))
"""


# `mineralgraph serve` started as a user starts it, timed until /readyz answers 200: the data
# loaded and verified, the counts read, the query workers forked and able to answer.
CHILD_READY = """
import json, socket, subprocess, sys, time, urllib.request
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
t0 = time.perf_counter()
proc = subprocess.Popen([sys.executable, "-m", "mineralgraph.server", "--dist", sys.argv[1], "--no-build",
                         "--port", str(port), *sys.argv[2:]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("serve ended before it was ready")
        time.sleep(0.1)
    print(json.dumps({"s": time.perf_counter() - t0}))
finally:
    proc.terminate()
    proc.wait(60)
"""


def ready(dist: Path, *args) -> float:
    return _child(CHILD_READY, dist, *args)["s"]


# The pages a reader opens first (issue 23: under 1 MB and 500 ms at 200 sources, 1 s at 1,000).
PAGES = ["/id/mechanism/msp", "/id/country/JPN",
         "/queries/mechanism-members?mechanism=MSP&mode=facts", "/queries/mechanism-members?mechanism=MSP",
         "/queries/roster-matrix?mechanism=MSP"]

# Each page asked once (the answer cache never helps), in a fresh server whose workers have
# started and whose entity index is read, as `mineralgraph serve` has them before its first request,
# after a few other pages (none of the measured ones) have compiled the templates.
CHILD_PAGES = """
import json, sys, time
from pathlib import Path
from mineralgraph.server import Settings, create_app, reload
from mineralgraph.store.load import load_dist
dist = Path(sys.argv[1])
app = create_app(load_dist(dist), Settings(dist_dir=dist))
client = app.test_client()
client.get("/queries", headers={"Accept": "application/json"})  # the workers started, not timed
reload.warm(app)
# one entity page and one HTML answer, not timed: the templates compiled and each worker's first
# query done, so the figures are each page's first request, not the server's
for url in ("/id/mineral/lithium", "/queries/mechanisms", "/id/country/USA", "/queries/sources"):
    client.get(url, headers={"Accept": "text/html"})
out = {}
for url in sys.argv[2:]:
    t = time.perf_counter()
    r = client.get(url, headers={"Accept": "text/html"})
    out[url] = {"status": r.status_code, "bytes": len(r.data), "ms": (time.perf_counter() - t) * 1000}
print(json.dumps(out))
"""


def pages(dist: Path) -> dict:
    return _child(CHILD_PAGES, dist, *PAGES)


def _child(code: str, *args) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"child failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _dist_bytes(dist: Path) -> tuple[int, int]:
    """dist/ in bytes: every file, and the files without the .gz copies."""
    files = [f for f in dist.iterdir() if f.is_file()]
    return sum(f.stat().st_size for f in files), sum(f.stat().st_size for f in files if not f.name.endswith(".gz"))


def edit_one_annotation(project: Path) -> Path:
    """One annotation's claim changed, as an annotator would: a real edit, not only a comment,
    so the graph (and every stage after the source's) sees a different triple."""
    ann = sorted((project / "seeds" / "annotations").glob("*.yaml"))[-1]
    text = ann.read_text(encoding="utf-8")
    edited = re.sub(r"(\n\s*note: )([^>|\"'\n][^\n]*)", lambda m: m.group(1) + m.group(2) + " (edited)", text, count=1)
    ann.write_text(edited if edited != text else text + "\n# edited\n", encoding="utf-8")
    return ann


def measure(n: int, repeat: int, limit: float, build_only: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"mg-scale-{n}-") as tmp:
        project = Path(tmp)
        grow(project, n)
        cold = _child(CHILD_BUILD, project)
        dist = project / "dist"
        total, size = _dist_bytes(dist)
        # one annotation file edited: only its source is re-assembled
        edit_one_annotation(project)
        warm = _child(CHILD_BUILD, project)
        watched = _child(CHILD_WATCH, project, Path(__file__).parent)
        if build_only:
            return {"n": n, "cold": cold, "warm": warm, "watched": watched, "dist_mb": size / 1e6,
                    "dist_total_mb": total / 1e6}
        serve = _child(CHILD_SERVE, dist, project / "queries", repeat, limit)
        # on disk, as `serve` keeps it by default: loaded once per build, then opened read-only at each start
        disk_first = _child(CHILD_DISK, dist, project / "store")
        disk_again = _child(CHILD_DISK, dist, project / "store")
        serve.update(disk_first_s=disk_first["s"], disk_first_rss_mb=disk_first["rss_mb"],
                     disk_open_s=disk_again["s"], disk_open_rss_mb=disk_again["rss_mb"])
        on_disk = _child(CHILD_SERVE, dist, project / "queries", repeat, limit, project / "store")
        serve["queries_on_disk"] = on_disk["queries"]
        stores = project / "stores"
        serve["ready"] = {"memory": ready(dist, "--memory"), "disk, first start of a build": ready(dist, "--store", stores),
                          "disk, later start": ready(dist, "--store", stores)}
        # a note edited and built again: the new build's store made from the last one's (store/load.py from_previous)
        edit_one_annotation(project)
        _child(CHILD_BUILD, project)
        serve["ready"]["disk, first start after one edit"] = ready(dist, "--store", stores)
        return {"n": n, "cold": cold, "warm": warm, "watched": watched, "dist_mb": size / 1e6,
                "dist_total_mb": total / 1e6, "serve": serve, "pages": pages(dist)}


def report(results: list[dict]) -> None:
    print("\n## Build\n")
    steps = list(results[0]["cold"]["timings"])
    print("| sources | triples | build (s) | rebuild after one edit (s) | the same in `build --watch` (s) "
          "| a source added, in `build --watch` (s) | removed again (s) | peak RSS build / workers (MB) | dist/ (MB) "
          "| dist/ without .gz (MB) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        c = r["cold"]
        print(f"| {r['n']} | {c['triples']:,} | {c['wall']:.1f} | {r['warm']['wall']:.1f} | {r['watched']['wall']:.1f} | "
              f"{r['watched']['added']['wall']:.1f} | {r['watched']['removed']['wall']:.1f} | "
              f"{c['rss_self_mb']:.0f} / {c['rss_workers_mb']:.0f} | {r.get('dist_total_mb', 0):.1f} | {r['dist_mb']:.1f} |")
    print("\n## Build steps, clean build / rebuild after one edit / the same in `build --watch` / a source added "
          "in `build --watch` / removed again (s)\n")
    print("| step | " + " | ".join(str(r["n"]) for r in results) + " |")
    print("|---|" + "---|" * len(results))
    builds = [lambda r: r["cold"], lambda r: r["warm"], lambda r: r["watched"], lambda r: r["watched"]["added"],
              lambda r: r["watched"]["removed"]]
    steps += list(dict.fromkeys(s for r in results for b in builds for s in b(r)["timings"] if s not in steps))  # once each
    for s in steps:
        print(f"| {s} | " + " | ".join(" / ".join(f"{b(r)['timings'].get(s, 0):.2f}" for b in builds)
                                      for r in results) + " |")
    if any("serve" not in r for r in results):
        return
    print("\n## Server\n")
    print("| sources | in memory: load (s) | RSS (MB) | on disk (serve's default): first load of a build (s) | RSS (MB) | each later start (s) | RSS (MB) |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        v = r["serve"]
        print(f"| {r['n']} | {v['load_s']:.1f} | {v['load_rss_mb']:.0f} | {v['disk_first_s']:.1f} | {v['disk_first_rss_mb']:.0f} "
              f"| {v['disk_open_s']:.2f} | {v['disk_open_rss_mb']:.0f} |")
    print("\n## `mineralgraph serve`: seconds from start to /readyz 200\n")
    kinds = list(results[0]["serve"].get("ready", {}))
    print("| sources | " + " | ".join(kinds) + " |")
    print("|---|" + "---|" * len(kinds))
    for r in results:
        print(f"| {r['n']} | " + " | ".join(f"{r['serve']['ready'][k]:.1f}" for k in kinds) + " |")
    print("\n## Pages: bytes, first request (ms)\n")
    print("| page | " + " | ".join(str(r["n"]) for r in results) + " |")
    print("|---|" + "---|" * len(results))
    for url in PAGES:
        cells = []
        for r in results:
            x = r.get("pages", {}).get(url)
            cells.append(f"{x['bytes']:,} B, {x['ms']:.0f} ms" + ("" if x["status"] == 200 else f" ({x['status']})") if x else "")
        print(f"| {url} | " + " | ".join(cells) + " |")
    print("\n## Stored queries: median latency in-process, ms (rows), store in memory / on disk\n")
    names = list(results[0]["serve"]["queries"])
    print("| query#example | " + " | ".join(str(r["n"]) for r in results) + " |")
    print("|---|" + "---|" * len(results))

    def cell(x):
        return x["error"] if x.get("error") else f"{x['median_ms']:.1f}"
    for q in names:
        cells = []
        for r in results:
            mem, disk = r["serve"]["queries"].get(q, {}), r["serve"]["queries_on_disk"].get(q, {})
            cells.append(f"{cell(mem)} / {cell(disk)} ({mem.get('rows')})")
        print(f"| {q} | " + " | ".join(cells) + " |")
    print("| under 250 ms | " + " | ".join(
        " / ".join(str(sum(1 for x in r["serve"][k].values() if not x.get("error") and x["median_ms"] < 250))
                   for k in ("queries", "queries_on_disk")) + f" of {len(names)}" for r in results) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="N = 5 and 50 only")
    ap.add_argument("--sizes", type=int, nargs="*", help="corpus sizes (default 5 50 200 1000)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per stored-query example (median)")
    ap.add_argument("--query-limit", type=float, default=60, help="seconds an example may take before it is stopped")
    ap.add_argument("--json", type=Path, help="also write the raw figures here")
    ap.add_argument("--build-only", action="store_true", help="the build, its rebuild and dist/ only (no store, no queries)")
    args = ap.parse_args()
    sizes = args.sizes or ([5, 50] if args.quick else [5, 50, 200, 1000])
    results = []
    for n in sizes:
        t0 = time.perf_counter()
        results.append(measure(n, args.repeat, args.query_limit, args.build_only))
        print(f"N={n}: measured in {time.perf_counter() - t0:.0f}s", file=sys.stderr, flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    report(results)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
