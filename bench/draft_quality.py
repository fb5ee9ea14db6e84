"""How good are `mineralgraph draft`'s candidates? Measured on the seed sources with their curated
annotations hidden from the drafter (it reads the text and the gazetteer only).

For each statement kind:
  recall    = curated claims with a statement of that kind whose quote a draft of that kind covers
              / curated claims with a statement of that kind
  precision = drafts of that kind that match a curated claim with a statement of that kind
              / drafts of that kind
A draft and a curated claim match when their spans in the source overlap by at least half of the
shorter one (a draft is a whole sentence; a curated quote is often a clause of it). The row `any`
ignores kinds: a claim covered by any draft, a draft matching any claim.

Caveat, stated in the table's footer: the gazetteer was curated from these same five sources, so
every name in them is known; on a new source, names the gazetteer lacks give no cue.

    .venv/bin/python bench/draft_quality.py            # the seeds of this checkout
    .venv/bin/python bench/draft_quality.py --root DIR --by-source
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mineralgraph.build.annotations import parse_annotation_file  # noqa: E402
from mineralgraph.intake.draft import spans_overlap, draft_claims  # noqa: E402
from mineralgraph.build.gazetteer import load_gazetteer  # noqa: E402
from mineralgraph.build.ontology import Vocabulary, load_ontology  # noqa: E402
from mineralgraph.core.paths import ProjectPaths  # noqa: E402
from mineralgraph.build.quotes import locate  # noqa: E402
from mineralgraph.build.sources import load_sources  # noqa: E402
from mineralgraph.build.text import normalise  # noqa: E402

# every statement type of the annotation schema
KINDS = list(json.loads((ROOT / "schemas" / "annotations.schema.json").read_text(encoding="utf-8"))["$defs"]["statement"]["properties"])


def curated_claims(paths: ProjectPaths, source) -> list[tuple[tuple[int, int], set[str]]]:
    text = normalise(source.text, source.markup, source.pinyin_annotations)
    out = []
    for path in sorted(paths.annotations.glob(f"{source.id}*.yaml")):
        for claim in parse_annotation_file(path).claims:
            found = locate(source, text, claim.quote, claim.occurrence, path=path, line=claim.line)
            out.append(((found.a_start, found.a_end), {s.type for s in claim.statements}))
    return out


def score(pairs) -> dict[str, list[int]]:
    """kind -> [claims, claims covered, drafts, drafts matched], summed over `pairs` of (drafts, claims)."""
    counts = defaultdict(lambda: [0, 0, 0, 0])
    for drafts, claims in pairs:
        for kind in [*KINDS, "any"]:
            def has(kinds):
                return kind == "any" or kind in kinds
            kd = [(d.a_start, d.a_end) for d in drafts if has(d.kinds)]
            kc = [span for span, kinds in claims if has(kinds)]
            c = counts[kind]
            c[0] += len(kc)
            c[1] += sum(any(spans_overlap(span, d) for d in kd) for span in kc)
            c[2] += len(kd)
            c[3] += sum(any(spans_overlap(d, span) for span in kc) for d in kd)
    return counts


def table(counts, title: str) -> str:
    rows = [title, f"{'kind':<15}{'curated':>8}{'covered':>8}{'recall':>8}{'drafts':>8}{'matched':>8}{'precision':>10}"]
    for kind in [*KINDS, "any"]:
        n, covered, d, matched = counts[kind]
        recall = f"{covered / n:.0%}" if n else "-"
        precision = f"{matched / d:.0%}" if d else "-"
        rows.append(f"{kind:<15}{n:>8}{covered:>8}{recall:>8}{d:>8}{matched:>8}{precision:>10}")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=ROOT)
    ap.add_argument("--by-source", action="store_true", help="also one table per source")
    args = ap.parse_args()
    paths = ProjectPaths(args.root.resolve())
    gazetteer = load_gazetteer(paths.gazetteer)
    table_labels = set(Vocabulary.from_ontology(load_ontology(paths.ontology)).kind_labels)
    pairs = {}
    for source in load_sources(paths):
        pairs[source.id] = (draft_claims(source, gazetteer, table_labels), curated_claims(paths, source))
    if args.by_source:
        for sid, pair in pairs.items():
            print(table(score([pair]), f"source {sid}"), end="\n\n")
    print(table(score(pairs.values()), f"all {len(pairs)} sources ({', '.join(pairs)})"))
    print("match: spans overlap by >= half the shorter; the gazetteer was curated from these same sources.")


if __name__ == "__main__":
    main()
