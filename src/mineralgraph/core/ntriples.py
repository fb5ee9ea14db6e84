"""N-Triples lines written straight from rdflib terms, and the BCP 47 casing of language tags.

The build keeps every graph as sorted N-Triples lines: they are the cache format, the input the
build store loads (pyoxigraph parses them an order of magnitude faster than rdflib parses
anything) and, concatenated, the N-Quads dump. Writing them here instead of with rdflib's
serialiser is 5-10x faster and gives one line per triple, always.
"""

from __future__ import annotations

import re

from rdflib import BNode, Literal, URIRef

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def term(t) -> str:
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, Literal):
        lexical = f'"{str(t).translate(_ESCAPES)}"'
        if t.language:
            return f"{lexical}@{t.language}"
        if t.datatype is not None:
            return f"{lexical}^^<{t.datatype}>"
        return lexical
    if isinstance(t, BNode):
        return f"_:{t}"
    raise TypeError(f"not an RDF term: {t!r}")


def lines(triples) -> bytes:
    """Sorted, de-duplicated N-Triples for an iterable of (s, p, o): the same graph always
    gives the same bytes, whatever order rdflib hands the triples out in."""
    out = sorted({f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in triples})
    return "".join(out).encode("utf-8")


# pyoxigraph lower-cases language tags on parsing (RDF 1.1 allows it: tags compare case-
# insensitively), but people read "zh-Hans", not "zh-hans". Restore the BCP 47 conventional
# case (RFC 5646 §2.1.1) in anything serialised from the store: script subtags title case,
# region subtags upper case. Only a tag right after a closing quote is touched; a quote inside a
# literal is always escaped in the formats pyoxigraph writes.
_LANG_IN_TEXT = re.compile(rb'((?<!\\)"@|"@language":\s*")([a-z]{2,3}(?:-[a-z0-9]{2,8})*)')


def bcp47_case(tag: str) -> str:
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def restore_language_case(data: bytes) -> bytes:
    if b'"@' not in data:  # no tag to mend: the scan below takes 1.2 s over the derived graph at 1,000 sources
        return data
    return _LANG_IN_TEXT.sub(lambda m: m.group(1) + bcp47_case(m.group(2).decode()).encode(), data)


def sorted_lines(data: bytes) -> bytes:
    """N-Triples lines from the store, de-duplicated and sorted (as the store spells them), with
    language tags in their conventional case: mended line by line, only the lines with a tag
    (the same bytes as mending the whole text, 5x faster)."""
    return sorted_unique(set(data.splitlines(keepends=True)))


def sorted_unique(lines: set[bytes]) -> bytes:
    """sorted_lines for lines already de-duplicated (a set of whole lines, newline included)."""
    return b"".join(restore_language_case(line) if b'"@' in line else line for line in sorted(lines))


def in_graph(data: bytes, graph: str) -> bytes:
    """N-Triples lines as N-Quads lines in `graph` (every N-Triples line ends in " .\n" and
    nothing else does: newlines in literals are escaped)."""
    return data.replace(b" .\n", f" <{graph}> .\n".encode())
