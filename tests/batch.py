"""Ten new sources at once (tests/data/batch/batch.yaml) installed into a copy of the project, the
way a maintainer adds them: the text under seeds/ with its sha256 entry in sources.yaml, its
annotation file, and the gazetteer entries it needs. Used by tests/test_batch_intake.py (and, for
files laid out like it, test_wording.py and test_succession.py)."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from pathlib import Path

import yaml

from mineralgraph.server import Settings, close_app, create_app
from mineralgraph.store.load import load_dist

from seedscope import SEED_IDS  # noqa: F401  (re-exported for the batch test)

BATCH_FILE = Path(__file__).resolve().parent / "data" / "batch" / "batch.yaml"


@contextmanager
def served(dist: Path):
    """A Flask test client of the app serving a copy's dist/ (one query worker), closed after."""
    app = create_app(load_dist(dist), Settings(workers=1, timeout=30, dist_dir=dist))
    try:
        yield app.test_client()
    finally:
        close_app(app)


def load_batch(path: Path = BATCH_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def install_batch(root: Path, path: Path = BATCH_FILE) -> list[str]:
    """Add the batch (or another file laid out like it) to the project at `root` (a copy); returns the new source ids."""
    batch = load_batch(path)
    seeds = root / "seeds"
    for name, content in batch["gazetteer"].items():
        (seeds / "gazetteer" / name).write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False),
                                                encoding="utf-8")
    entries = []
    for src in batch["sources"]:
        data = src["text"].encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        name = f"{src['id']}_{digest[:16]}.txt"
        (seeds / name).write_bytes(data)
        entries.append({"id": src["id"], "file": name, "sha256": digest, "title": src["title"], "creator": [],
                        "publisher": None, "date": src["date"], "language": src["language"], "kind": "news",
                        "markup": "plain"})
        annotations = {"source": src["id"], "claims": src["claims"]}
        (seeds / "annotations" / f"{src['id']}.yaml").write_text(
            yaml.safe_dump(annotations, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with (seeds / "sources.yaml").open("a", encoding="utf-8") as out:
        out.write("\n" + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False))
    return [s["id"] for s in batch["sources"]]
