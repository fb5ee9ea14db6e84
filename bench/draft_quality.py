"""How good are `mineralgraph draft`'s candidates? On news it has never seen, and on the seeds.

News sets (bench/unseen/news.yaml, the measure; bench/dev/news.yaml, to tune on): each text has
gold facts (a statement kind or the kinds that fit, key words, the date when the text gives one).
  found      a draft claim whose quote (at most 400 characters) contains every key word
             (case-insensitive; Chinese on Simplified script) and has a statement of a fitting kind
  recall     found facts / facts
  precision  drafts that find at least one fact / drafts (per kind: drafts with a statement of
             that kind that find a fact of that kind / drafts with a statement of that kind)
  dates      dated facts found with the right date (the claim's as_of, or a date, since, year or
             due_by of a fitting statement, equal as written: 2026-02-04, 2025-10 or 2025) / dated facts
Per kind, a fact counts under the first kind it lists (found by a draft of any kind it lists).

Seeds: the curated claims are the facts; a draft finds one when their spans overlap by at least
half the shorter, the draft's quote is at most 400 characters and it has a statement of the claim's
kind; a claim's date is that of its dated statements or its `as_of`. The gazetteer was curated
from these same sources, so every name in them is known (the news sets have new names).

    .venv/bin/python bench/draft_quality.py                       # unseen set, then seeds
    .venv/bin/python bench/draft_quality.py --set dev             # tune here
    .venv/bin/python bench/draft_quality.py --set unseen --misses # the facts not found
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mineralgraph.build.annotations import parse_annotation_file  # noqa: E402
from mineralgraph.intake.draft import draft_claims, spans_overlap  # noqa: E402
from mineralgraph.build.gazetteer import load_gazetteer  # noqa: E402
from mineralgraph.build.ontology import Vocabulary, load_ontology  # noqa: E402
from mineralgraph.core.paths import ProjectPaths  # noqa: E402
from mineralgraph.build.quotes import locate  # noqa: E402
from mineralgraph.build.sources import Source, load_sources  # noqa: E402
from mineralgraph.build.text import normalise, to_simplified  # noqa: E402

KINDS = list(json.loads((ROOT / "schemas" / "annotations.schema.json").read_text(encoding="utf-8"))["$defs"]["statement"]["properties"])
MAX_QUOTE = 400
DATE_FIELDS = ("date", "since", "year", "due_by")


def news_set(path: Path) -> list[dict]:
    """The texts of a news set, each with `source` (a Source built in memory: never in seeds/)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for t in data["texts"]:
        lang = "en" if t["language"] == "en" else "zh"
        source = Source(id=t["id"], file=f"{t['id']}.txt", path=path, sha256="", title={}, language=t["language"],
                        kind="news", markup="plain", text=t["text"], date=str(t["date"]))
        facts = []
        for f in t["facts"]:
            kinds = [f["kind"]] if isinstance(f["kind"], str) else list(f["kind"])
            keys = [str(k) for k in f["keys"]]
            for k in keys:  # a key the text lacks is a mistake in the set, not a miss of the drafter
                if _fold(k) not in _fold(t["text"]):
                    raise SystemExit(f"{path}: {t['id']}: key {k!r} is not in the text")
            date = f.get("date")
            facts.append({"kinds": kinds, "keys": keys, "date": str(date) if date is not None else None})
        out.append({"id": t["id"], "lang": lang, "source": source, "facts": facts})
    return out


def _fold(s: str) -> str:
    return to_simplified(s).casefold()


def _dates(draft, kinds) -> set[str]:
    out = {draft.as_of} if draft.as_of else set()  # the claim's as_of holds for all its statements
    for kind, fields in draft.statements:
        if kind in kinds:
            out |= {str(fields[k]) for k in DATE_FIELDS if k in fields and fields[k] != "?"}
    return out


def score_news(texts, gazetteer, labels, misses=False):
    """(lang, kind) -> [facts, found, dated, dated right, drafts, drafts matched]"""
    counts = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    missed = []
    for t in texts:
        drafts = [d for d in draft_claims(t["source"], gazetteer, labels) if len(d.quote) <= MAX_QUOTE]
        matched = defaultdict(set)  # draft index -> kinds it matched facts under
        for f in t["facts"]:
            hits = [(i, d) for i, d in enumerate(drafts)
                    if all(_fold(k) in _fold(d.quote) for k in f["keys"]) and d.kinds & set(f["kinds"])]
            right = bool(f["date"]) and any(f["date"] in _dates(d, f["kinds"]) for _, d in hits)
            for i, d in hits:
                matched[i] |= d.kinds & set(f["kinds"])
            for lang in (t["lang"], "all"):
                for kind in [f["kinds"][0], "any"]:  # a fact counts under its first kind
                    c = counts[(lang, kind)]
                    c[0] += 1
                    c[1] += bool(hits)
                    c[2] += bool(f["date"])
                    c[3] += right
            if misses and (not hits or (f["date"] and not right)):
                got = sorted({x for _, d in hits for x in _dates(d, f["kinds"])})
                missed.append(f"{t['id']}: {'/'.join(f['kinds'])} {f['keys']} "
                              + ("NOT FOUND" if not hits else f"date {f['date']} but drafted {got or 'none'}"))
        for i, d in enumerate(drafts):
            for lang in (t["lang"], "all"):
                for kind in [*d.kinds, "any"]:
                    if kind == "any" or kind in KINDS:
                        c = counts[(lang, kind)]
                        c[4] += 1
                        c[5] += (kind in matched[i]) if kind != "any" else bool(matched[i])
    return counts, missed


def score_seeds(paths, gazetteer, labels):
    counts = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for source in load_sources(paths):
        text = normalise(source.text, source.markup, source.pinyin_annotations)
        drafts = [d for d in draft_claims(source, gazetteer, labels) if len(d.quote) <= MAX_QUOTE]
        claims = []
        for path in sorted(paths.annotations.glob(f"{source.id}*.yaml")):
            for claim in parse_annotation_file(path).claims:
                found = locate(source, text, claim.quote, claim.occurrence, path=path, line=claim.line)
                kinds = {s.type for s in claim.statements}
                dates = {str(v) for s in claim.statements for k, v in s.fields.items() if k in DATE_FIELDS}
                if claim.as_of:
                    dates.add(str(claim.as_of))
                claims.append(((found.a_start, found.a_end), kinds, dates))
        lang = "zh"
        matched = defaultdict(set)
        for span, kinds, dates in claims:
            hits = [(i, d) for i, d in enumerate(drafts) if spans_overlap(span, (d.a_start, d.a_end)) and d.kinds & kinds]
            for i, d in hits:
                matched[i] |= d.kinds & kinds
            for kind in [*kinds, "any"]:  # under each of its kinds, found by a draft of that kind
                mine = [d for _, d in hits if kind == "any" or kind in d.kinds]
                c = counts[(lang, kind)]
                c[0] += 1
                c[1] += bool(mine)
                c[2] += bool(dates)
                c[3] += bool(dates) and any(dates & _dates(d, kinds) for d in mine)
        for i, d in enumerate(drafts):
            for kind in [*d.kinds, "any"]:
                c = counts[(lang, kind)]
                c[4] += 1
                c[5] += (kind in matched[i]) if kind != "any" else bool(matched[i])
    return counts


def table(counts, title: str, langs) -> str:
    pct = lambda a, b: f"{a / b:.0%}" if b else "-"  # noqa: E731
    rows = [title, f"{'lang':<5}{'kind':<15}{'facts':>6}{'found':>6}{'recall':>7}{'dated':>6}{'right':>6}{'dates':>6}"
                   f"{'drafts':>7}{'match':>6}{'precision':>10}"]
    for lang in langs:
        for kind in [*KINDS, "any"]:
            n, found, dated, right, d, m = counts[(lang, kind)]
            if not n and not d:
                continue
            rows.append(f"{lang:<5}{kind:<15}{n:>6}{found:>6}{pct(found, n):>7}{dated:>6}{right:>6}{pct(right, dated):>6}"
                        f"{d:>7}{m:>6}{pct(m, d):>10}")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=ROOT)
    ap.add_argument("--set", choices=["unseen", "dev", "seeds", "all"], default="all",
                    help="all: the unseen set and the seeds (the dev set only when asked)")
    ap.add_argument("--misses", action="store_true", help="list the facts not found or misdated")
    args = ap.parse_args()
    paths = ProjectPaths(args.root.resolve())
    gazetteer = load_gazetteer(paths.gazetteer)
    labels = set(Vocabulary.from_ontology(load_ontology(paths.ontology)).kind_labels)
    for name in (["unseen"] if args.set == "all" else [args.set] if args.set != "seeds" else []):
        texts = news_set(ROOT / "bench" / name / "news.yaml")
        counts, missed = score_news(texts, gazetteer, labels, args.misses)
        n = len(texts)
        print(table(counts, f"{name} set: {n} texts ({sum(t['lang'] == 'en' for t in texts)} en, "
                            f"{sum(t['lang'] == 'zh' for t in texts)} zh), {sum(len(t['facts']) for t in texts)} facts", ["en", "zh", "all"]))
        print("\n".join(missed))
        print()
    if args.set in ("seeds", "all"):
        print(table(score_seeds(paths, gazetteer, labels), "seeds: 5 sources (zh), curated claims as facts (gazetteer curated from them)", ["zh"]))
    print(f"\n{datetime.date.today()}: a fact is found when a draft quote (<= {MAX_QUOTE} chars) holds its key words "
          "(seeds: overlaps its claim) and the draft has a fitting statement kind.")


if __name__ == "__main__":
    main()
