"""Light lexical checks on SPARQL text, done before a query reaches a worker.

The engine's parser is recursive: a query nested a few thousand levels deep overflows its stack
and kills the process running it. `check_shape` refuses such text with a 400 that names the limit,
long before that depth (real queries nest a dozen levels); the workers also parse on a large
stack (workers.py), so what passes here cannot crash them.

pyoxigraph does not expose its parsed algebra, so we blank out the parts of the text that can
contain arbitrary characters (strings, IRIs, comments) and look for keywords in what remains.
A keyword hidden in a prefixed name or variable (ex:service, ?from) is not matched.
"""
from __future__ import annotations

import re

_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*",
    re.S,
)


def _keyword(word: str) -> re.Pattern:
    return re.compile(r"(?<![\w?$:.-])" + word + r"(?![\w:-])", re.I)


_SERVICE = _keyword("SERVICE")
_FROM = _keyword("FROM")


def _bare(text: str) -> str:
    return _OPAQUE.sub(" ", text)


def uses_service(query: str) -> bool:
    """True if the text contains a SERVICE clause (federation, i.e. outbound HTTP)."""
    return bool(_SERVICE.search(_bare(query)))


def declares_dataset(query: str) -> bool:
    """True if the query has FROM / FROM NAMED: then it, not the union default, is the dataset."""
    return bool(_FROM.search(_bare(query)))


# Limits on what reaches the parser. Generous for any hand-written or generated query; far
# below what overflows the workers' parser stack (measured: about 100,000 levels on 512 MB).
MAX_QUERY_CHARS = 262_144
MAX_DEPTH = 200       # nested (), [] and {} together
MAX_PREFIX_RUN = 200  # unary operators in a row: !!!!x, ^^^^p, - - - 1 nest like brackets

_OPEN, _CLOSE = "([{", ")]}"
_PREFIX_RUN = re.compile(r"(?:[!^+-]\s*){%d,}" % (MAX_PREFIX_RUN + 1))


class QueryTooComplex(ValueError):
    """The query text is beyond a limit; the message names the limit and where it was crossed."""


def _line_col(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def check_shape(query: str) -> None:
    """Raise QueryTooComplex when the text is longer or nests deeper than the limits allow."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryTooComplex(f"the query is {len(query):,} characters long; the limit is "
                              f"{MAX_QUERY_CHARS:,} characters")
    # Blank strings, IRIs and comments character by character, so offsets stay those of the text.
    bare = _OPAQUE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), query)
    depth = 0
    for i, ch in enumerate(bare):
        if ch in _OPEN:
            depth += 1
            if depth > MAX_DEPTH:
                raise QueryTooComplex(f"the query nests (), [] and {{}} deeper than the limit of "
                                      f"{MAX_DEPTH} levels (at {_line_col(bare, i)})")
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
    run = _PREFIX_RUN.search(bare)
    if run:
        raise QueryTooComplex(f"the query has more than {MAX_PREFIX_RUN} unary operators (! ^ + -) "
                              f"in a row (at {_line_col(bare, run.start())})")
