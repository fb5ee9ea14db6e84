"""Light lexical checks on SPARQL text, done before a query reaches a worker.

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
