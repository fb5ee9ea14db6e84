"""A rebuild that reuses what the last build left (.mineralgraph-cache: per-source graphs and
whatever else it keeps) gives the dist/ a clean build gives, byte for byte, after an annotation
is edited, a source added and a source removed (issue 24)."""

from __future__ import annotations

import hashlib
import re
import shutil

import yaml

from mineralgraph.core.paths import ProjectPaths
from mineralgraph.pipeline import build
from seedscope import ROOT


def _add_replica(root, base: str, sid: str) -> None:
    """A new source: `base`'s text under a first line of its own, its entry and annotations."""
    seeds = root / "seeds"
    entries = yaml.safe_load((seeds / "sources.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in entries if str(e["id"]) == base)
    data = (f"Replica {sid} of source {base}.\n" + (seeds / entry["file"]).read_text(encoding="utf-8")).encode()
    digest = hashlib.sha256(data).hexdigest()
    (seeds / f"{sid}_{digest[:16]}.txt").write_bytes(data)
    entries.append({**entry, "id": sid, "file": f"{sid}_{digest[:16]}.txt", "sha256": digest})
    (seeds / "sources.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for ann in sorted((seeds / "annotations").glob(f"{base}*.yaml")):
        body = ann.read_text(encoding="utf-8").replace(f'source: "{base}"', f'source: "{sid}"')
        (seeds / "annotations" / (sid + ann.name[len(base):])).write_text(body, encoding="utf-8")


def _remove_source(root, sid: str) -> None:
    seeds = root / "seeds"
    entries = yaml.safe_load((seeds / "sources.yaml").read_text(encoding="utf-8"))
    (seeds / next(e for e in entries if str(e["id"]) == sid)["file"]).unlink()
    kept = [e for e in entries if str(e["id"]) != sid]
    (seeds / "sources.yaml").write_text(yaml.safe_dump(kept, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for ann in (seeds / "annotations").glob(f"{sid}*.yaml"):
        ann.unlink()


def _dist(root) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted((root / "dist").iterdir())}


def test_incremental_and_clean_builds_give_the_same_dist(dist_dir, project_copy):
    root, paths = project_copy, ProjectPaths(project_copy)
    # what the session's build of the real project left: a warm cache, as a maintainer has it
    # (complete entries only: another test process may be writing one; a missed entry is rebuilt)
    paths.cache.mkdir()
    for entry in (ROOT / ".mineralgraph-cache").glob("[!.]*.*"):
        try:
            shutil.copy2(entry, paths.cache / entry.name)
        except (FileNotFoundError, IsADirectoryError):
            pass
    ann = root / "seeds" / "annotations" / "003.yaml"
    text = ann.read_text(encoding="utf-8")
    edited = re.sub(r"(\n\s*note: )(翻两番[^\n]*)", r"\1\2 Edited.", text, count=1)
    assert edited != text
    ann.write_text(edited, encoding="utf-8")
    _add_replica(root, "003", "905")
    _add_replica(root, "001", "906")
    build(paths)
    _remove_source(root, "905")
    incremental = build(paths)
    after_edits = _dist(root)

    shutil.rmtree(paths.cache)
    clean = build(paths)
    assert _dist(root) == after_edits
    assert set(clean.manifest["coverage"]) == {"000", "001", "002", "003", "004", "906"}
    assert incremental.manifest == clean.manifest
    assert "Edited." in after_edits["mineralgraph.nq"].decode()
