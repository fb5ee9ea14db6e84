"""tools/screenshots.py regenerates docs/screenshots/: every page it shoots still answers, and the
README lists exactly the files it writes."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("_screenshots", ROOT / "tools" / "screenshots.py")
shots = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shots)


def test_every_page_shot_answers(real_client):
    for name, path, _viewport, _wait, _action in shots.SHOTS:
        r = real_client.get(path, headers={"Accept": "text/html"})
        expected = 404 if name == "not-found" else 200
        assert r.status_code == expected and r.mimetype == "text/html", (name, path, r.status_code)


def test_readme_lists_every_shot():
    readme = (ROOT / "docs" / "screenshots" / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([\w-]+)\.png` \|", readme, flags=re.M)
    assert listed == [name for name, *_ in shots.SHOTS]
