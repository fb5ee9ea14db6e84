"""Where the project's data lives. One place, so tests can point the pipeline at a copy."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# the installed package (src/mineralgraph/): its code is part of what the build's caches are keyed on
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def project_root() -> Path:
    """The project directory: $MINERALGRAPH_ROOT, else the nearest parent of the cwd with
    seeds/sources.yaml, else the checkout this package was installed from (editable install)."""
    env = os.environ.get("MINERALGRAPH_ROOT")
    if env:
        return Path(env).resolve()
    for candidate in [Path.cwd(), *Path.cwd().parents]:
        if (candidate / "seeds" / "sources.yaml").is_file():
            return candidate
    here = Path(__file__).resolve()
    for candidate in here.parents:
        if (candidate / "seeds" / "sources.yaml").is_file():
            return candidate
    return Path.cwd()


@dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def sources_file(self) -> Path:
        return self.seeds / "sources.yaml"

    @property
    def gazetteer(self) -> Path:
        return self.seeds / "gazetteer"

    @property
    def annotations(self) -> Path:
        return self.seeds / "annotations"

    @property
    def ontology(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes(self) -> Path:
        return self.root / "shapes"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    @property
    def rules(self) -> Path:
        return self.queries / "rules"

    @property
    def checks(self) -> Path:
        return self.queries / "checks"

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    @property
    def cache(self) -> Path:
        """Per-source build results, keyed by the hash of their inputs (safe to delete)."""
        return self.root / ".mineralgraph-cache"

    @classmethod
    def default(cls) -> "ProjectPaths":
        return cls(project_root())
