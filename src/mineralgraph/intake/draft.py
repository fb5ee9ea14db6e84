"""`mineralgraph draft NNN`: candidate claims proposed from a source's text alone.

Each sentence is read for cues: gazetteer mentions (mechanisms, actors, minerals, policies, lists),
enumerations (、 和 与, an open end 等 / 和其他国家), verbs of membership, founding and signing,
numbers with units or %, dates and list words. A sentence with the cues of a statement kind
becomes a draft claim: its verbatim quote (located and verified like any quote) and a draft
statement with what the text gives and `"?"` where a person must decide. Drafts carry
`draft: true`; the build ignores them until a person accepts one by deleting that line.

The cues decide what is worth a curator's look, never what the graph says. Those above are tuned
on the seeds and lean on the gazetteer; news whose names the gazetteer lacks is read with the cues
of drafting/cues.yaml (draftcues.py: English and Chinese words for every statement kind, figures
with currencies, counts), split into sentences by sentences.py, dated by reldates.py (relative
dates resolved against the article's date, and said so in the claim's note), and its new names are
proposed as gazetteer entries (newnames.py, written as comments after the claims).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..build.annotations import parse_annotation_file
from ..build.extract.enumeration import completeness, longest_run
from ..build.extract.table import find_tables
from ..build.gazetteer import Gazetteer, Mention, load_gazetteer
from ..build.ontology import Vocabulary, load_ontology
from ..build.quotes import locate
from ..build.sources import Source, load_sources
from ..build.text import AnalysisText, normalise
from ..core.errors import InputError
from . import draftcues, newnames
from . import sentences as sentence_split
from .reldates import FoundDate, find_dates

DATE = re.compile(r"((?:19|20)\d\d)\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?")
BARE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
NUMBER_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*(万亿|亿|万)?\s*(%|％|美元|欧元|澳元|吨|倍|个百分点)")
SCALE = {"万亿": 10**12, "亿": 10**8, "万": 10**4, None: 1}
UNIT = {"%": "percent", "％": "percent", "美元": "usd", "欧元": "eur", "澳元": "aud", "吨": "tonne", "倍": "multiplier",
        "个百分点": "?"}
MEMBER_COUNT = re.compile(r"(\d+|[一二两三四五六七八九十]{1,3})\s*(?:个)?(?:成员国|国家|成员|国)")
LIST_WORDS = re.compile(r"清单|目录|名录|名单")
LIST_COUNT = re.compile(r"(\d+|[一二两三四五六七八九十]{1,3})\s*(?:种|個|个)(?:品类|矿产|矿物|关键矿产)?")
LIST_CHANGE = re.compile(r"新增|剔除|删除|移除|增加了|增至|扩充|减少")
FOUNDING = re.compile(r"成立|建立|启动|发起|创建|组建|创立|设立")
MEMBERSHIP = re.compile(r"加入|成员|参与|包括|伙伴|签署|参加|签约|联合")
CLASS_KIND = {"小多边": "minilateral", "双边": "bilateral", "全球": "global", "多边": "global"}
RELATION_WORDS = re.compile(r"补充|合并|框架下|机制下|下设|隶属|取代|继承|一部分|并入|协同")
EVENT_KIND = [("签署", "signing"), ("签订", "signing"), ("会议", "meeting"), ("会晤", "meeting"), ("峰会", "meeting"),
              ("举行", "meeting"), ("启动", "launch"), ("发起", "launch"), ("投资", "investment"), ("计划", "plan"),
              ("宣布", "announcement"), ("发布", "announcement"), ("谈判", "meeting"), ("商谈", "meeting"),
              ("讨论", "meeting"), ("会谈", "meeting"), ("举办", "meeting"), ("达成", "signing"), ("协定", "signing"),
              ("协议", "signing"), ("推迟", "plan"), ("颁布", "announcement")]
ACTORS = {"country", "org", "region"}
TARGET = re.compile(r"(?:\bby|\buntil|\btill|\bbefore|\bthrough|\bdue)\s+(?:the\s+)?(?:end\s+of\s+)?$|(?:到|至|截至|前)\s*$", re.I)


@dataclass
class Draft:
    a_start: int  # analysis-text offsets of the sentence
    a_end: int
    quote: str
    occurrence: int | None
    statements: list[tuple[str, dict]]
    cues: list[str] = field(default_factory=list)
    dates: list[FoundDate] = field(default_factory=list)

    @property
    def kinds(self) -> set[str]:
        return {kind for kind, _ in self.statements}

    @property
    def as_of(self) -> str | None:
        """The sentence's first date (resolved against the article's when relative): when the
        source says the fact held, for the curator to check."""
        for f in self.dates:  # not a target or deadline: "by 2030", "到2030年", "until November"
            if not TARGET.search(self.quote[max(0, f.start - 10) : f.start]):
                return f.value
        return None


class Drafts(list):
    """The draft claims of a source, and the new names proposed as gazetteer entries (`names`)."""

    names: list = []


def sentences(text: AnalysisText) -> list[tuple[int, int]]:
    """Sentence spans of the analysis text (sentences.py: English and Chinese rules, line breaks of
    the original kept even where normalisation folded them), trimmed of blanks."""
    return sentence_split.split(text.clean, 6, sentence_split.folded_breaks(text))


def draft_claims(source: Source, gazetteer: Gazetteer, table_labels: set[str] = frozenset()) -> Drafts:
    """Draft claims for every sentence with cues, except rows of mechanism tables (the build reads
    those itself; `table_labels`: the labels of their type cells)."""
    text = normalise(source.text, source.markup, source.pinyin_annotations)
    rows = [(r.line_start, r.line_end) for table in find_tables(source.text, set(table_labels)) for r in table]
    spans = sentences(text)
    drafts = Drafts()
    drafts.names = newnames.propose(text, gazetteer, spans)
    previous: set[str] = set()  # kinds of the sentence before: "it adds three" after a list's sentence
    for start, end in spans:
        o_start, o_end = text.original_span(start, end)
        if any(s < o_end and o_start < e for s, e in rows):  # overlaps a table row
            continue
        dates = find_dates(text.simplified[start:end], source.date)
        statements, cues = _statements(gazetteer, text, start, end, [f.value for f in dates], drafts.names,
                                       list_context=bool(previous & {"list_version", "list_change"}))
        previous = {kind for kind, _ in statements}
        if not statements:
            continue
        quote = text.clean[start:end].strip()
        occurrence = _verified(source, text, quote, start)
        if occurrence is False:
            continue
        drafts.append(Draft(start, end, quote, occurrence, statements, cues, dates))
    return drafts


def _verified(source: Source, text: AnalysisText, quote: str, start: int) -> int | None | bool:
    """Locate the quote as the build will: its occurrence number (None when unique), or False when it
    does not come back to this sentence (then it is not proposed)."""
    needle = text.simplified[start : start + len(quote)]
    hits = [m.start() for m in re.finditer(re.escape(needle), text.simplified)]
    if start not in hits:
        return False
    occurrence = hits.index(start) + 1 if len(hits) > 1 else None
    try:
        located = locate(source, text, quote, occurrence, path=source.path, line=None)
    except InputError:
        return False
    return occurrence if located.a_start == start else False


def _statements(gazetteer: Gazetteer, text: AnalysisText, start: int, end: int, resolved: list[str] | None = None,
                names: list = (), list_context: bool = False) -> tuple[list[tuple[str, dict]], list[str]]:
    """The gazetteer cues (tuned on the seeds), then draftcues.py's for the kinds they leave out.
    `resolved`: the sentence's dates as reldates.py reads them; `names`: new names of the text."""
    s = text.simplified[start:end]
    mentions = _dedupe(gazetteer.find_mentions(text, start, end) + gazetteer.find_mentions(text, start, end, enumeration=True))
    not_names = [(a + start, b + start) for a, b in draftcues.not_name_spans(s)]  # 黄金时代 is not gold
    mentions = [m for m in mentions if not any(a <= m.start and m.end <= b for a, b in not_names)]
    by = {f: [m for m in mentions if m.entity.family in f] for f in ("mechanism", "mineral", "policy", "list")}
    actors = [m for m in mentions if m.entity.family in ACTORS]
    mechs = _ids(by["mechanism"])
    dates = resolved or [_date(m) for m in DATE.finditer(s)] or [y for y in BARE_YEAR.findall(s)]
    out: list[tuple[str, dict]] = []
    cues = [f"{f}: {', '.join(_ids(ms))}" for f, ms in (("mechanisms", by["mechanism"]), ("actors", actors),
                                                         ("minerals", by["mineral"]), ("policies", by["policy"])) if ms]

    run = longest_run(actors, text)
    if mechs and actors and (MEMBERSHIP.search(s) or len(run) >= 2):
        complete, _ = completeness(text, run, start, end)
        out.append(("membership", {"mechanism": mechs[0], "members": "auto", "exhaustive": complete}))
    if mechs and FOUNDING.search(s) and dates:
        out.append(("founding", {"mechanism": mechs[0], "date": dates[0], "founders": "auto"}))
    kind = next((k for word, k in CLASS_KIND.items() if word in s.replace("双多边", "")), None)
    if len(mechs) == 1 and kind:  # several mechanisms: a survey sentence, not one's kind
        out.append(("classification", {"mechanism": mechs[0], "kind": kind}))
    count = MEMBER_COUNT.search(s)
    if mechs and count:
        out.append(("member_count", {"mechanism": mechs[0], "count": count.group(1)}))
    number = NUMBER_UNIT.search(s)
    if number and (by["mineral"] or actors or mechs):
        subject = (_ids(actors) or mechs or _ids(by["mineral"]))[0]
        value = float(number.group(1)) * SCALE[number.group(2)]
        stat = {"subject": subject, "indicator": "?", "value": int(value) if value.is_integer() else value,
                "unit": UNIT[number.group(3)], "value_text": number.group(0)}
        if by["mineral"]:
            stat["mineral"] = _ids(by["mineral"])[0]
        out.append(("statistic", stat))
    if by["policy"]:
        out.append(("policy", {"policy": _ids(by["policy"])[0], **({"date": dates[0]} if dates else {})}))
    listed = by["list"] or (LIST_WORDS.search(s) and len(by["mineral"]) >= 2)
    if listed and LIST_CHANGE.search(s):
        out.append(("list_change", {"from": "?", "to": "?", "removed": "auto", "added": "auto"}))
    elif listed or (LIST_WORDS.search(s) and LIST_COUNT.search(s)):
        out.append(("list_version", {"list": (_ids(by["list"]) or ["?"])[0], "version": "?", "minerals": "auto"}))
    event = next((k for word, k in EVENT_KIND if word in s), None)
    if event and (actors or mechs):  # the date is often relative (下周, 去年): then the curator dates it
        out.append(("event", {"event": event, "about": (mechs or _ids(actors))[0], "date": dates[0] if dates else "?",
                              "participants": "auto"}))
    if mechs and RELATION_WORDS.search(s):
        out.append(("relation", {"subject": mechs[0], "relation": "?", "object": mechs[1] if len(mechs) > 1 else "?"}))
    here = sorted((n for n in names for name in n.names if name and name in text.clean[start:end]), key=lambda n: text.clean.find(n.name, start))
    here = list(dict.fromkeys(here))
    out += draftcues.statements(
        text.clean[start:end] if not re.search(r"[\u3400-\u9fff]", s) else s,
        mechanisms=mechs, actors=_ids(actors), minerals=_ids(by["mineral"]), policies=_ids(by["policy"]),
        lists=_ids(by["list"]), new_names=here, dates=find_dates(s) if resolved is None else _as_found(resolved),
        have={kind for kind, _ in out}, list_context=list_context)
    if resolved:
        draftcues.fill_dates(out, resolved, s)
    draftcues.enrich(out, s)
    draftcues.periods(out, s, resolved or [])
    if here:
        cues.append("new names: " + ", ".join(n.name for n in here))
    return out, cues


def _as_found(values: list[str]) -> list[FoundDate]:
    return [FoundDate(0, 0, v, v, False) for v in values]


def _dedupe(mentions: list[Mention]) -> list[Mention]:
    seen, out = set(), []
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if (m.start, m.entity.family, m.entity.id) not in seen:
            seen.add((m.start, m.entity.family, m.entity.id))
            out.append(m)
    return out


def _ids(mentions: list[Mention]) -> list[str]:
    return list(dict.fromkeys(m.entity.id for m in mentions))


def _date(m: re.Match) -> str:
    year, month, day = m.groups()
    return year + (f"-{int(month):02d}" if month else "") + (f"-{int(day):02d}" if month and day else "")


def to_yaml(source: Source, drafts: list[Draft]) -> str:
    """The drafts as an annotation file, every claim marked `draft: true`."""
    q = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731 - a JSON scalar is valid YAML
    lines = [
        f"# Draft claims for source {source.id}, proposed by `mineralgraph draft {source.id}` from the text alone.",
        "# The build ignores a claim marked `draft: true`. To accept one: check the quote says it, fill in",
        '# every "?", correct the statement, delete `draft: true`. Delete the drafts that say nothing.',
        f'source: "{source.id}"',
        "claims:",
    ]
    for d in drafts:
        lines.append(f"  - quote: {q(d.quote)}")
        if d.occurrence:
            lines.append(f"    occurrence: {d.occurrence}")
        lines.append("    draft: true")
        if d.as_of:
            lines.append(f"    as_of: {d.as_of}")
        relative = [f"{f.surface} = {f.value}" for f in d.dates if f.resolved]
        if relative:  # dates computed from the article's date, said so for the curator to check
            d.cues.append(f"dates resolved against the article date {source.date}: " + ", ".join(relative))
        if d.cues:
            lines.append(f"    note: {q('cues: ' + '; '.join(d.cues))}")
        lines.append("    statements:")
        for kind, fields in d.statements:
            body = ", ".join(f"{k}: {_scalar(v)}" for k, v in fields.items())
            lines.append(f"      - {kind}: {{{body}}}")
    if not drafts:
        lines[-1] = "claims: []"
    lines += newnames.to_yaml_comment(getattr(drafts, "names", []))
    return "\n".join(lines) + "\n"


def _scalar(value) -> str:
    """YAML for a draft value: ids, dates and numbers bare, anything else ("?", names) quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) or re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_./-]*", str(value)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def draft_source(paths, source_id: str, *, all_sentences: bool = False) -> tuple[Source, list[Draft]]:
    """Drafts for one source of the project; sentences its curated claims already quote are left out
    unless `all_sentences`."""
    sources = {s.id: s for s in load_sources(paths)}
    if source_id not in sources:
        raise InputError(f"no source {source_id!r}; sources: {', '.join(sorted(sources))}", paths.sources_file)
    source = sources[source_id]
    text = normalise(source.text, source.markup, source.pinyin_annotations)
    curated = []
    if not all_sentences:
        for path in sorted(paths.annotations.glob(f"{source_id}*.yaml")):
            for claim in parse_annotation_file(path).claims:  # accepted claims only: drafts are skipped
                found = locate(source, text, claim.quote, claim.occurrence, path=path, line=claim.line)
                curated.append((found.a_start, found.a_end))
    labels = set(Vocabulary.from_ontology(load_ontology(paths.ontology)).kind_labels)
    drafts = draft_claims(source, load_gazetteer(paths.gazetteer), labels)
    kept = Drafts(d for d in drafts if not any(spans_overlap((d.a_start, d.a_end), c) for c in curated))
    kept.names = drafts.names
    return source, kept


def spans_overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two spans share at least half of the shorter one (a sentence and a clause curated from it)."""
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return shared > 0 and shared >= 0.5 * min(a[1] - a[0], b[1] - b[0])
