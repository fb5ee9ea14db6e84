"""The seeds, for tests that check what the seeds say (issue 20): scoped to these five sources (or
computing what they expect from the data), adding correct sources never turns them red. A module
of its own, not conftest: `from conftest import` would find tests/server/conftest.py in a full run."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIRS = ["seeds", "ontology", "shapes", "queries"]
SEED_IDS = frozenset({"000", "001", "002", "003", "004"})
