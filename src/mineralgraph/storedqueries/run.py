"""Running stored queries in-process (the CLI, tests, the benchmark) with the server's own
evaluation and serialisation (store/evaluate.py), and the terminal table."""
from __future__ import annotations

import json
import shutil
import textwrap
import unicodedata

import pyoxigraph as ox

from ..core import namespaces
from ..store import evaluate
from .binding import prepare
from .resolve import Resolver

# how a table cell shortens an IRI: "id:country/JPN", "mg:Mechanism"
PREFIXES = {f"{p}:": str(namespaces.PREFIXES[p]) for p in ("id", "mg", "skos", "xsd")}


def rows_of(answer_json: bytes | str) -> tuple[list[str], list[dict]]:
    """SPARQL JSON results -> (variables, [{var: binding}])."""
    data = json.loads(answer_json)
    return data["head"]["vars"], data["results"]["bindings"]


def store_select(store: ox.Store):
    """select(sparql) -> [{var: lexical value}] on a local store (union default graph)."""
    def select(sparql: str) -> list[dict]:
        out = []
        results = store.query(sparql)
        names = [v.value for v in results.variables]
        for sol in results:
            out.append({n: sol[i].value for i, n in enumerate(names) if sol[i] is not None})
        return out
    return select


def evaluate_text(store: ox.Store, text: str, key: str = "json", cap: int = 10_000) -> dict:
    """Evaluate as the server's workers do: union default graph, same serialisers, same cap."""
    formats = {"solutions": key, "boolean": key if key in ("json", "xml") else "json", "graph": "turtle"}
    return evaluate.run_query(store, evaluate.Query(text, formats, cap))


class LocalRunner:
    """A store plus its entity index: what the CLI and the tests run stored queries with."""

    def __init__(self, store: ox.Store):
        self.store = store
        self.resolver = Resolver(store_select(store))

    def text(self, query, given: dict[str, list[str]]) -> str:
        return prepare(query, given, self.resolver)

    def run(self, query, given: dict[str, list[str]], key: str = "json", cap: int = 10_000) -> dict:
        answer = evaluate_text(self.store, self.text(query, given), key, cap)
        if answer.get("error"):
            raise RuntimeError(f"{query.name}: {answer.get('message', answer['error'])}")
        return answer

    def rows(self, query, given: dict[str, list[str]]) -> list[dict]:
        """[{var: lexical value}] — what tests compare."""
        names, bindings = rows_of(self.run(query, given)["body"])
        return [{n: b[n]["value"] for n in names if n in b} for b in bindings]


def _cell(binding: dict | None) -> str:
    if binding is None:
        return ""
    value = binding["value"]
    if binding["type"] == "uri":
        for prefix, ns in PREFIXES.items():
            if value.startswith(ns):
                return prefix + value[len(ns):]
        if "/id/" in value:  # a graph built under another IRI base (`build --iri-base`)
            return "id:" + value[value.rfind("/id/") + len("/id/"):]
        return value
    return " ".join(value.split())  # quotes span lines and tabs: one line in a table


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _wrap(text: str, width: int) -> list[str]:
    """Wrap to `width` terminal columns, at spaces where there are any (Chinese has none)."""
    lines: list[str] = []
    for word in textwrap.wrap(text, width, break_long_words=False) or [""]:
        line = ""
        for ch in word:
            if display_width(line + ch) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return lines


def table(body: bytes, width: int | None = None, max_cell: int = 60) -> str:
    """SPARQL JSON results as an aligned text table; long cells wrapped to max_cell columns."""
    names, bindings = rows_of(body)
    if not bindings:
        return "(no rows)\n"
    width = width or shutil.get_terminal_size((160, 24)).columns
    cells = [[_cell(b.get(n)) for n in names] for b in bindings]
    widths = [min(max(display_width(n), *(display_width(r[i]) for r in cells)), max_cell) for i, n in enumerate(names)]
    sep = "  "
    lines = [sep.join(_pad(n, w) for n, w in zip(names, widths)).rstrip(),
             sep.join("-" * w for w in widths)]
    for row in cells:
        wrapped = [_wrap(c, w) for c, w in zip(row, widths)]
        for k in range(max(len(x) for x in wrapped)):
            lines.append(sep.join(_pad(x[k] if k < len(x) else "", w) for x, w in zip(wrapped, widths)).rstrip())
    lines.append(f"({len(bindings)} row{'s' if len(bindings) != 1 else ''})")
    return "\n".join(lines) + "\n"
