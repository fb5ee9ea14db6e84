"""The incremental build: what the last build left in .mineralgraph-cache/state, brought up to
date with the source graphs that changed, so a one-edit rebuild costs what changed.

The state (read only when complete; state.json says so and is written last):
- lines.bin     how many data graphs hold each exact line (build/linecounts.py), so that a line
  is known to leave the union only when no other graph holds it;
- work.store/   the reasoner's work store on disk (reason/reasoner.py infer_work), which
  reason/delta.py updates from the lines that entered and left the reasoned input;
- inferred.nt, derived.nt  the last build's graph/inferred and graph/derived;
- graphs/       hard links to each data graph's cache file as it was (the cache removes an entry
  when its source changes; the link keeps the old lines to compare with);
- findings.json the last build's validation report (written after state.json, removed with it),
  and walks.json, what validate/delta.py read from the shapes;
- rules/       each derivation rule's last answer (NAME.nt, as the store spells it),
  rules.json, the predicates each rule reads (reason/derive.py rule_predicates), so that a
  rule none of whose predicates changed is not run again, and seconds.json, how long each took
  when it last ran (the longest are started first);
- state.json    what the stores hold (config key, graph -> file). It is removed before the stores
  change and written once they agree again, so a build killed half-way, or one that stopped
  before its stores were consistent, leaves no state.json: the next build is a clean one.

The build store itself is loaded in memory again from the source graphs' files, as a clean build
does: queries over the whole graph run about 4x slower on a store on disk (all of validation at
200 sources: 106 s against 23 s, measured), and reading the union back out of one is slower than
loading those files (31.7 s against 6.7 s at 200 sources, on a busy machine).

Anything else changed (ontology, shapes, rules, checks, gazetteer, this package's code) changes
the config key: a clean build.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import RDF

from .build.cache import code_digest, digest, files_digest
from .build.linecounts import CountsError, LineCounts, write_counts
from .build.sourcegraphs import GraphChunk
from .build.workstore import BuildStore
from .core.namespaces import DERIVED_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from .core.sparqlfiles import read_dir
from .reason.delta import infer_delta
from .reason.derive import Derivation, rule_predicates
from .reason.owl2rl import generate
from .reason.reasoner import SKIP_FROM_INPUT, InputSplit, has_type, refuse_schema_in_data, skipped_subjects
from .validate.validator import Report

STATE = "state"
LINES = "lines.bin"
FINDINGS = "findings.json"
RULES = "rules"  # each rule's last answer; rules.json: the predicates each reads; seconds.json: its time
SECONDS = "seconds.json"
SYSTEM_GRAPHS = {str(ONTOLOGY_GRAPH), str(INFERRED_GRAPH), str(DERIVED_GRAPH)}


class NeedsClean(Exception):
    """The change cannot be applied to the last build's state: build from scratch."""


def config_key(paths) -> str:
    """Everything but the sources and annotations that the stores depend on."""
    return digest(code_digest(), *(files_digest(sorted(d.rglob(pattern)))
                                   for d, pattern in ((paths.ontology, "*.ttl"), (paths.shapes, "*.ttl"),
                                                      (paths.rules, "*.rq"), (paths.checks, "*.rq"),
                                                      (paths.gazetteer, "*.yaml"))))


def _state_dir(paths) -> Path:
    return paths.cache / STATE


def load_state(paths) -> dict | None:
    """The last build's state if complete and made under the same configuration, else None."""
    try:
        state = json.loads((_state_dir(paths) / "state.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("config") != config_key(paths):
        return None
    d = _state_dir(paths)
    if not (d / LINES).is_file() or not (d / "work.store").is_dir():
        return None
    if any(not (d / "graphs" / f).is_file() for f in state.get("graphs", {}).values()):
        return None
    return state


def invalidate(paths) -> None:
    """The state no longer describes its stores (they are about to change)."""
    (_state_dir(paths) / "state.json").unlink(missing_ok=True)
    (_state_dir(paths) / FINDINGS).unlink(missing_ok=True)


def load_findings(paths) -> Report | None:
    """The last build's validation report, if it was kept (validate_delta starts from it)."""
    try:
        return Report.from_json((_state_dir(paths) / FINDINGS).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_findings(paths, report: Report) -> None:
    """This build's validation report, beside the state it is the report of (written after it)."""
    tmp = _state_dir(paths) / f".{FINDINGS}.tmp"
    tmp.write_text(report.to_json(), encoding="utf-8")
    os.replace(tmp, _state_dir(paths) / FINDINGS)


def walks_cache(paths) -> Path:
    """Where validate/delta.py keeps what it read from the shapes between builds."""
    return _state_dir(paths) / "walks.json"


def discard_state(paths) -> None:
    """`build --clean`: the next build is a clean one (which makes the state again)."""
    with state_lock(paths) as free:
        if free:
            shutil.rmtree(_state_dir(paths), ignore_errors=True)
        else:
            invalidate(paths)


def _data_chunks(chunks) -> list:
    return [c for c in chunks if c.graph not in SYSTEM_GRAPHS]


def _link_graphs(paths, chunks) -> dict[str, str]:
    """graphs/: a hard link to each data graph's file (written out if held in memory)."""
    d = _state_dir(paths) / "graphs"
    new = Path(str(d) + ".new")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(parents=True)
    out = {}
    for i, c in enumerate(_data_chunks(chunks)):
        name = f"{i:05d}.nt"
        if c.path is not None:
            try:
                os.link(c.path, new / name)
            except OSError:
                shutil.copyfile(c.path, new / name)
        else:
            (new / name).write_bytes(c.data)
        out[c.graph] = name
    shutil.rmtree(d, ignore_errors=True)
    os.rename(new, d)
    return out


def _write_state(paths, chunks) -> str:
    """state.json, last; returns the id that tells this state from any other (KeptStore)."""
    graphs = _link_graphs(paths, chunks)
    files = {g: _file_id(c) for g, c in ((c.graph, c) for c in _data_chunks(chunks))}
    state = {"config": config_key(paths), "graphs": graphs, "files": files, "id": os.urandom(8).hex()}
    tmp = _state_dir(paths) / ".state.json.tmp"
    tmp.write_text(json.dumps(state), encoding="utf-8")
    os.replace(tmp, _state_dir(paths) / "state.json")  # last: the state counts once this exists
    return state["id"]


def _file_id(chunk) -> str:
    """What identifies a data graph's content: its cache file name (keyed by its inputs' hash)."""
    return chunk.path.name if chunk.path is not None else digest(chunk.data)


def start_clean(paths) -> None:
    """A clean build starts: the last state goes (the new one is saved once the build got through)."""
    shutil.rmtree(_state_dir(paths), ignore_errors=True)


def save_clean(paths, work: ox.Store, chunks, report: Report, inferred: GraphChunk, derivation: Derivation) -> str:
    """The state after a clean build: how many data graphs hold each line, and the reasoner's
    work store on disk. Returns the state's id."""
    d = _state_dir(paths)
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    # the two at once: counting is Python, the store's dump and bulk load run without the GIL
    with ThreadPoolExecutor(max_workers=1) as pool:
        counted = pool.submit(write_counts, d / LINES, (c.data for c in _data_chunks(chunks)))
        wdisk = ox.Store(str(d / "work.store"))
        wdisk.bulk_load(work.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS, lenient=True)
        wdisk.flush()
        del wdisk
        counted.result()
    _write_graph_files(paths, inferred, derivation.graph)
    _write_rule_answers(paths, derivation.answers, {}, derivation.seconds)
    state_id = _write_state(paths, chunks)
    save_findings(paths, report)
    return state_id


def _write_rule_answers(paths, answers: dict[str, bytes], predicates: dict, seconds: dict[str, float]) -> None:
    """rules/NAME.nt for each rule's answer given, rules.json (what is known of the rules'
    predicates; an answer is only taken again where rules.json has the rule) and seconds.json."""
    d = _state_dir(paths) / RULES
    d.mkdir(exist_ok=True)
    for name, data in answers.items():
        tmp = d / f".{name}.nt.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, d / f"{name}.nt")
    for name, data in (("rules.json", predicates), (SECONDS, seconds)):
        tmp = d / f".{name}.tmp"
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        os.replace(tmp, d / name)


def _write_graph_files(paths, inferred: GraphChunk, derived: GraphChunk) -> None:
    for c, name in ((inferred, "inferred.nt"), (derived, "derived.nt")):
        tmp = _state_dir(paths) / f".{name}.tmp"
        tmp.write_bytes(c.data)
        os.replace(tmp, _state_dir(paths) / name)


@contextmanager
def state_lock(paths):
    """Whether this build may use and write the state: not while another build of the same project
    does (two test processes building the project at once, say); that one keeps it."""
    paths.cache.mkdir(parents=True, exist_ok=True)
    with open(paths.cache / "state.lock", "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


class Incremental:
    """The last build's stores opened for update (load_state said they are usable)."""

    def __init__(self, paths, state: dict):
        self.paths, self.state = paths, state
        self._seconds: dict[str, float] | None = None
        d = _state_dir(paths)
        self.previous = load_findings(paths)  # read before invalidate removes them
        invalidate(paths)
        try:
            self.lines = LineCounts(d / LINES)
        except CountsError as e:
            raise NeedsClean(f"its {LINES} does not open: {e}") from e
        try:
            self.work = _open(d / "work.store")
        except NeedsClean:
            self.lines.close()
            raise

    def changed(self, chunks) -> list[tuple[str, Path | None, GraphChunk | None]]:
        """(graph, its old file, its new chunk) of every data graph added, removed or changed."""
        new = {c.graph: c for c in _data_chunks(chunks)}
        old = self.state["graphs"]
        out = []
        for g in sorted(set(new) | set(old)):
            if g in old and g in new and self.state["files"].get(g) == _file_id(new[g]):
                continue
            out.append((g, _state_dir(self.paths) / "graphs" / old[g] if g in old else None, new.get(g)))
        return out

    def apply_graphs(self, chunks) -> None:
        """The line counts brought up to date; the exact lines that entered and left the union
        (`added`: no graph held it before, `removed`: none holds it now) kept for `reason`."""
        try:
            self._count_changes(chunks)
        except CountsError as e:
            raise NeedsClean(f"its {LINES} cannot be read: {e}") from e

    def _count_changes(self, chunks) -> None:
        before: dict[bytes, int] = {}  # each changed line -> the graphs holding it before this build
        self.subjects = set()
        for g, old_file, chunk in self.changed(chunks):
            old = set(old_file.read_bytes().splitlines(keepends=True)) if old_file else set()
            new = set(chunk.data.splitlines(keepends=True)) if chunk else set()
            for lines, by in ((old - new, -1), (new - old, +1)):
                for line in lines:
                    before.setdefault(line, self.lines.count(line))
                    self.lines.change(line, by)
                    self.subjects.add(line.split(b" ", 1)[0])
        self.added = sorted(line for line, n in before.items() if n == 0 and self.lines.count(line) > 0)
        self.removed = sorted(line for line, n in before.items() if n > 0 and self.lines.count(line) == 0)

    def _skipped(self, bstore: BuildStore) -> tuple[set, set]:
        """The mention index and selectors are set aside from reasoning: which of the changed
        lines' subjects they are before the change and after it (`bstore`: the union now). A
        type line, all IRIs, is spelt one way, and the union before is now's less `added`, plus
        `removed`."""
        after = skipped_subjects(bstore.store, self.subjects)
        added, removed = set(self.added), set(self.removed)
        before = set()
        for s in self.subjects:
            for t in SKIP_FROM_INPUT:
                line = s + f" <{RDF.type}> <{t}> .\n".encode()
                if line in removed or (line not in added and s in after and has_type(bstore.store, s, t)):
                    before.add(s)
        added_by_subject: dict[bytes, list[bytes]] = {}
        for line in self.added:
            added_by_subject.setdefault(line.split(b" ", 1)[0], []).append(line)
        for s in before ^ after:
            # its lines already in the union would change sides: only a clean build sorts them again
            mine = set(_triples(added_by_subject.get(s, [])))
            if any((q.subject, q.predicate, q.object) not in mine
                   for q in bstore.store.quads_for_pattern(_node(s), None, None, ox.DefaultGraph())):
                raise NeedsClean(f"{s.decode()} became or stopped being a mention or selector")
        return before, after

    def reason(self, ontology, bstore: BuildStore) -> GraphChunk:
        """graph/inferred from the delta (reason/delta.py), loaded into `bstore` (the union now)."""
        refuse_schema_in_data(bstore.store)
        skip_before, skip_after = self._skipped(bstore)
        split_after = InputSplit(generate(ontology), skip_after)
        split_before = InputSplit(split_after.rules, skip_before)
        r_add, a_add = split_after(self.added)
        r_rem, a_rem = split_before(self.removed)
        previous = (_state_dir(self.paths) / "inferred.nt").read_bytes()
        inferred = infer_delta(self.work, ontology, b"".join(r_add), b"".join(r_rem), b"".join(a_add), b"".join(a_rem),
                               previous)
        self.inferred = GraphChunk(str(INFERRED_GRAPH), inferred.graph)
        self.inferred_changes = (inferred.entered, inferred.left)
        bstore.load(self.inferred)
        return self.inferred

    def reusable_rules(self, rules_dir) -> dict[str, bytes]:
        """The last build's answer of every rule that no line that entered or left the data or
        graph/inferred can change: none has a predicate the rule reads (reason/derive.py). What
        a rule reads is worked out once per rule text and kept in the state."""
        d = _state_dir(self.paths) / RULES
        try:
            known = json.loads((d / "rules.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        changed = {line.split(b" ", 2)[1][1:-1].decode()
                   for lines in (self.added, self.removed, *self.inferred_changes) for line in lines}
        self.rule_predicates, reuse = {}, {}
        for rule in read_dir(rules_dir, parse=False):
            key = digest(rule.text)
            entry = known.get(rule.name)
            if not isinstance(entry, dict) or entry.get("text") != key:
                entry = {"text": key, "predicates": rule_predicates(rule.text)}
            self.rule_predicates[rule.name] = entry
            answer = d / f"{rule.name}.nt"
            if entry["predicates"] is not None and not changed.intersection(entry["predicates"]) and answer.is_file():
                reuse[rule.name] = answer.read_bytes()
        return reuse

    def rule_seconds(self) -> dict[str, float]:
        """How long each rule took when it last ran (none known: {}); read once, before `finish`
        writes this build's."""
        if self._seconds is None:
            try:
                seconds = json.loads((_state_dir(self.paths) / RULES / SECONDS).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                seconds = {}
            self._seconds = ({k: v for k, v in seconds.items() if isinstance(v, (int, float))}
                             if isinstance(seconds, dict) else {})
        return self._seconds

    def finish(self, chunks, derivation: Derivation, reused: set[str]) -> None:
        """The stores are consistent with these chunks: write the state that says so (after
        `default_delta` has read the last build's graph files). `reused`: the rules whose last
        answers were taken (their files stay)."""
        try:
            self.lines.commit()
        except CountsError as e:
            raise NeedsClean(f"its {LINES} cannot be written: {e}") from e
        self.work.flush()
        self.delta = self.default_delta(derivation.graph)
        _write_graph_files(self.paths, self.inferred, derivation.graph)
        _write_rule_answers(self.paths, {n: a for n, a in derivation.answers.items() if n not in reused},
                            self.rule_predicates, {**self.rule_seconds(), **derivation.seconds})
        self.state_id = _write_state(self.paths, chunks)

    def default_delta(self, derived: GraphChunk) -> tuple[list[bytes], list[bytes]]:
        """Lines that may have entered and left the build store's default graph (the union,
        graph/inferred and graph/derived) since the last build: what validating only the change
        starts from. A line may be listed that a graph still holds (never one missed)."""
        entered, left = self.inferred_changes
        added, removed = set(self.added) | entered, set(self.removed) | left
        old = set((_state_dir(self.paths) / "derived.nt").read_bytes().splitlines(keepends=True))
        new = set(derived.data.splitlines(keepends=True))
        return sorted(added | (new - old)), sorted(removed | (old - new))

    def update_kept(self, kept: "KeptStore") -> BuildStore | None:
        """The kept build store brought from the last build's union (data, graph/inferred,
        graph/derived) to this build's data alone, as loading it afresh would make it; None
        (and the store dropped) where that cannot be vouched for.

        Every line of the last graph/inferred and graph/derived goes, with the data lines no graph
        holds any more; then the lines that entered come in. The result
        can only hold this build's data triples (the last build's data less what left, plus what
        came): it is all of them when it has one triple per distinct data line, as many as
        before less `removed` plus `added`. Two lines the store spells as one triple ("05" and
        "5", say) make the count fall short: then it is loaded afresh."""
        store = kept.take(self.state.get("id"), len(self.lines))
        if store is None:
            return None
        d = _state_dir(self.paths)
        # all out, then what entered in: a line of the last graph/inferred that is now data goes
        # and comes back
        store.remove_lines(b"".join([(d / "inferred.nt").read_bytes(), (d / "derived.nt").read_bytes(), *self.removed]))
        store.load_lines(b"".join(self.added))
        expected = kept.data_size - len(self.removed) + len(self.added)
        if store.default_size() != expected:
            kept.drop()
            return None
        kept.data_size = expected
        return store

    def close(self) -> None:
        self.lines.close()
        self.work = None


class KeptStore:
    """A build store one process keeps from build to build (`build --watch`), so that an
    incremental build updates it (Incremental.update_kept) instead of loading every data graph
    again: 24 s of a 62 s one-edit rebuild at 1,000 sources. It is used only with the state it
    was made with (the state's id), and only if its data part held one triple per distinct data
    line (`data_size`, measured when it held the data alone)."""

    def __init__(self):
        self.bstore: BuildStore | None = None
        self.data_size = -1
        self.state_id: str | None = None
        self._parsed: dict[str, tuple[str, object]] = {}  # what -> (its files' digest, the parse)

    def parsed(self, what: str, directory: Path, parse):
        """`parse(directory)`, or what it gave the last build if no file under `directory` has
        changed since (the ontology, shapes, gazetteer: 0.45 s of a build that changed none)."""
        key = files_digest(p for p in directory.rglob("*") if p.is_file())
        if self._parsed.get(what, ("",))[0] != key:
            self._parsed[what] = (key, parse(directory))
        return self._parsed[what][1]

    def hold(self, bstore: BuildStore) -> None:
        """A store just loaded with the data graphs and nothing else."""
        self.bstore, self.data_size, self.state_id = bstore, bstore.default_size(), None

    def saved(self, state_id: str) -> None:
        """The state now on disk describes the store (its graph/inferred and graph/derived too)."""
        if self.bstore is not None:
            self.state_id = state_id

    def take(self, state_id: str | None, data_lines: int) -> BuildStore | None:
        """The store, if it is the one `state_id` describes and held one triple per data line."""
        usable = self.bstore is not None and state_id is not None and self.state_id == state_id \
            and self.data_size == data_lines
        if not usable:
            self.drop()
            return None
        self.state_id = None  # until the state describes it again
        return self.bstore

    def drop(self) -> None:
        self.bstore, self.data_size, self.state_id = None, -1, None


def _open(path: Path, attempts: int = 20) -> ox.Store:
    """A store of the state, waiting a little if the last build's handle on it is still closing
    (RocksDB's lock); NeedsClean if it does not open (damaged, or held by another process)."""
    for attempt in range(attempts):
        try:
            return ox.Store(str(path))
        except OSError as e:
            if attempt == attempts - 1:
                raise NeedsClean(f"its store {path.name} does not open: {e}") from e
            time.sleep(0.25)



def _triples(lines: list[bytes]) -> list[tuple]:
    """Each line's triple as the store holds it (it respells some typed literals: "05" as "5",
    xsd:nonNegativeInteger as xsd:integer), so that it finds the quads the line put there."""
    store = ox.Store()
    store.load(b"".join(line[:-3] + f" <urn:mineralgraph:line:{i}> .\n".encode() for i, line in enumerate(lines)),
               format=ox.RdfFormat.N_QUADS)
    out = [None] * len(lines)
    for q in store:
        out[int(q.graph_name.value.rsplit(":", 1)[1])] = (q.subject, q.predicate, q.object)
    return out


def _node(term: bytes):
    return ox.NamedNode(term.decode()[1:-1]) if term.startswith(b"<") else ox.BlankNode(term.decode()[2:])
