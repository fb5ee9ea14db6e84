"""Guards on ad-hoc SPARQL text, checked on its tokens before a query reaches a worker.

pyoxigraph does not expose its parser or algebra, so the guards read the query the way the
engine's grammar does: a lexer for every terminal of SPARQL 1.1 (and the RDF 1.2 additions the
engine accepts: `<<( )>>`, `{| |}`, `~`, `--ltr`), including the escapes inside prefixed names
(`ex:a\\#b` is one name, not a name and a comment). Only then are keywords looked for, so a
keyword inside a string, an IRI, a comment, a variable or a prefixed name is never matched, and
text the lexer cannot read cannot hide one.

One thing a lexer alone cannot decide: `<` after an operand is the less-than operator inside an
expression (`FILTER(?a<?b)`) but starts an IRI in a triple (`?s <p> ?o`). The engine decides by
grammar position. Rather than guess, every reading is followed: the lexer walks the set of
reachable states (position, whether an operand precedes), branching at such a `<`. A keyword counts
when it appears in any reading, followed there by what the grammar requires after it (`SERVICE
[SILENT] VarOrIri {`, `FROM [NAMED] iri`), so `?s <http://x/service> ?o` is not taken for a
SERVICE clause while `FILTER(?a<?b)SERVICE?e#>` (which hides SERVICE inside an IRI-shaped span
from a context-free lexer) is. Depth and unary runs are the maximum over all readings.

The engine's parser is recursive: a query nested a few thousand levels deep overflows its stack
and kills the process running it. `check_shape` refuses such text with a 400 that names the limit,
long before that depth (real queries nest a dozen levels); the workers also parse on a large
stack (workers.py), so what passes here cannot crash them.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# --- SPARQL 1.1 terminals (§19.8), written as in the grammar ---------------------------------
_PN_CHARS_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF"
                  "\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD"
                  "\U00010000-\U000EFFFF")
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
             f"(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?")
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_EXPONENT = r"[eE][+-]?[0-9]+"

_SKIP = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)+")
_IRIREF = re.compile(r'<(?:[^<>"{}|^`\\\x00-\x20]|' + _UCHAR + r")*>")
_LESS = re.compile(r"<=|<")
# One alternation, tried in order at a position; the group that matched names the kind.
_TOKEN = re.compile("|".join(f"(?P<{kind}{i}>{p})" for i, (p, kind) in enumerate([
    (r"'\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'", "literal"),
    (r'"""(?:[^"\\]|\\.|"(?!""))*"""', "literal"),
    (r"'(?:[^'\\\n\r]|\\.)*'", "literal"),
    (r'"(?:[^"\\\n\r]|\\.)*"', "literal"),
    (r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?", "literal"),
    (f"[?$]{_VARNAME}", "operand"),
    (f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?", "operand"),
    (f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?", "operand"),
    (f"[0-9]+\\.[0-9]*{_EXPONENT}|\\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}"
     r"|[0-9]*\.[0-9]+|[0-9]+", "operand"),
    (r"[A-Za-z_][A-Za-z0-9_]*", "word"),
    (r"<<\(|\)>>|<<|>>|\{\||\|\}|\^\^|\|\||&&|!=|<=|>=", "punct"),
    (r"[{}()\[\].,;*+\-/!^|=<>?~]", "punct"),
])), re.S)
_OPENERS = {"(", "[", "{", "<<(", "<<", "{|"}
_CLOSERS = {")", "]", "}", ")>>", ">>", "|}"}
_OPERAND_PUNCT = {")", "]", ")>>", ">>"}  # after these, `<` may be less-than
_UNARY = {"!", "^", "+", "-"}

# Limits on what reaches the parser. Generous for any hand-written or generated query; far
# below what overflows the workers' parser stack (measured: about 100,000 levels on 512 MB).
MAX_QUERY_CHARS = 262_144
MAX_DEPTH = 200       # nested (), [] and {} together
MAX_PREFIX_RUN = 200  # unary operators in a row: !!!!x, ^^^^p, - - - 1 nest like brackets


class QueryTooComplex(ValueError):
    """The query text is beyond a limit; the message names the limit and where it was crossed."""


@dataclass
class Reading:
    """What the guards need from every way the engine could tokenize the text."""
    service_at: int | None = None   # offset of a SERVICE clause, if any reading has one
    has_from: bool = False          # FROM / FROM NAMED: the query names its own dataset
    depth: int = 0                  # deepest bracket nesting over all readings
    depth_at: int = 0
    unary_run: int = 0              # longest run of unary operators over all readings
    unary_at: int = 0


def _next_token(text: str, pos: int, iri_first: bool):
    """The token at `pos` (after no whitespace): (text, kind). Never fails: a character no
    terminal accepts becomes a one-character 'junk' token (the engine refuses such a query)."""
    if text.startswith("<", pos) and iri_first:
        m = _IRIREF.match(text, pos)
        if m:
            return m.group(), "operand"
    m = _TOKEN.match(text, pos)
    if m:
        return m.group(), m.lastgroup.rstrip("0123456789")
    return text[pos], "junk"


def _skip(text: str, pos: int) -> int:
    m = _SKIP.match(text, pos)
    return m.end() if m else pos


def _is_iri(tok: str, kind: str) -> bool:
    return kind == "operand" and (tok[0] == "<" or (":" in tok and tok[0] not in "?$_"))


def _is_var(tok: str, kind: str) -> bool:
    return kind == "operand" and tok[0] in "?$"


def _follows(text: str, pos: int, *steps: str) -> bool:
    """Does the text at `pos` go on with these tokens? A step is an upper-case keyword, "Iri",
    "VarOrIri" or "{"; a trailing "?" makes it optional. IRI-first, as after a keyword."""
    for step in steps:
        want, optional = step.rstrip("?"), step.endswith("?")
        pos = _skip(text, pos)
        tok, kind = _next_token(text, pos, iri_first=True) if pos < len(text) else ("", "end")
        if want == "Iri":
            ok = _is_iri(tok, kind)
        elif want == "VarOrIri":
            ok = _is_iri(tok, kind) or _is_var(tok, kind)
        elif want == "{":
            ok = tok == "{"
        else:
            ok = kind == "word" and tok.upper() == want
        if ok:
            pos += len(tok)
        elif not optional:
            return False
    return True


def _is_operand(tok: str, kind: str) -> bool:
    """After an operand, `<` may be the less-than operator."""
    return (kind in ("operand", "literal") or tok in _OPERAND_PUNCT
            or (kind == "word" and tok.lower() in ("true", "false")))


@functools.lru_cache(maxsize=16)  # one request asks about the same text three times
def read(text: str) -> Reading:
    """Follow every tokenization the grammar allows (see the module docstring)."""
    result = Reading()
    # state (position, operand precedes) -> (depth, unary run) reached there, the maximum over
    # the readings that reach it. Tokens only move forward, so taking the smallest position
    # first visits each state once, after every reading that leads to it.
    states: dict[tuple[int, bool], tuple[int, int]] = {(0, False): (0, 0)}
    n = len(text)
    while states:
        key = min(states)
        depth, run = states.pop(key)
        pos = _skip(text, key[0])
        if pos >= n:
            continue
        choices = [_next_token(text, pos, iri_first=True)]
        if key[1] and text.startswith("<", pos) and choices[0][0] != "<":
            choices.append((_LESS.match(text, pos).group(), "punct"))  # less-than, not an IRI
        for tok, kind in choices:
            end = pos + len(tok)
            word = tok.upper() if kind == "word" else ""
            if word == "SERVICE" and result.service_at is None \
                    and _follows(text, end, "SILENT?", "VarOrIri", "{"):
                result.service_at = pos
            elif word == "FROM" and _follows(text, end, "NAMED?", "Iri"):
                result.has_from = True
            d = max(depth + (tok in _OPENERS) - (tok in _CLOSERS), 0)
            r = run + 1 if tok in _UNARY else 0
            if d > result.depth:
                result.depth, result.depth_at = d, pos
            if r > result.unary_run:
                result.unary_run, result.unary_at = r, pos
            nxt = (end, _is_operand(tok, kind))
            old = states.get(nxt, (0, 0))
            states[nxt] = (max(old[0], d), max(old[1], r))
    return result


def uses_service(query: str) -> bool:
    """True if any reading of the text has a SERVICE clause (federation, i.e. outbound HTTP)."""
    return read(query).service_at is not None


def declares_dataset(query: str) -> bool:
    """True if the query has FROM / FROM NAMED: then it, not the union default, is the dataset."""
    return read(query).has_from


def _line_col(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def _plainly_within_limits(query: str) -> bool:
    """True when counting characters proves what `read` would find: no SERVICE and no FROM (the
    words are not in the text at all, in any case), nesting no deeper than MAX_DEPTH (every opening
    token holds one of ( [ { or <<, so there are no more levels than such characters), and no longer
    unary run than MAX_PREFIX_RUN (no more than the ! ^ + - characters). Most queries pass, in
    microseconds instead of the 0.4 ms the full reading of a 400-character query takes."""
    lowered = query.lower()
    if "service" in lowered or "from" in lowered:
        return False
    openers = query.count("(") + query.count("[") + query.count("{") + query.count("<")
    unary = query.count("!") + query.count("^") + query.count("+") + query.count("-")
    return openers <= MAX_DEPTH and unary <= MAX_PREFIX_RUN


def check_shape(query: str, reading: Reading | None = None) -> Reading:
    """Raise QueryTooComplex when the text is longer or nests deeper than the limits allow;
    return the reading, so a caller checks SERVICE and FROM without reading the text again.
    A query the character counts already clear gets an empty Reading (no SERVICE, no FROM; its
    depth and unary run are then not measured, only known to be within the limits)."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryTooComplex(f"the query is {len(query):,} characters long; the limit is "
                              f"{MAX_QUERY_CHARS:,} characters")
    if reading is None and _plainly_within_limits(query):
        return Reading()
    reading = reading or read(query)
    if reading.depth > MAX_DEPTH:
        raise QueryTooComplex(f"the query nests (), [] and {{}} deeper than the limit of "
                              f"{MAX_DEPTH} levels (at {_line_col(query, reading.depth_at)})")
    if reading.unary_run > MAX_PREFIX_RUN:
        raise QueryTooComplex(f"the query has more than {MAX_PREFIX_RUN} unary operators (! ^ + -) "
                              f"in a row (at {_line_col(query, reading.unary_at)})")
    return reading
