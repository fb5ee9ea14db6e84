"""A quote as the pages show it: markup, tags cut at either end and inserted pinyin glosses
(礦產(chǎn) → 礦產) taken out, by the build's own normalisation. The stored-query pages show this;
their `?format=csv|json|xlsx` downloads carry it too, with the verbatim quote in its own column, so
what is pasted is what was read."""
from __future__ import annotations

import re

from mineralgraph.build.text import normalise

# A context is cut at a fixed length, often inside a tag: `ef="https://…html">` or a lone `>` at
# its start, `<a href="` at its end. Neither is a whole tag, so the markup cleaner would leave it as text.
CUT_TAG_AT_START = re.compile(r"""^(?:[^<>]*["']|\s*/?[A-Za-z][\w:.-]*\s*)?/?>""")
CUT_TAG_AT_END = re.compile(r"<[A-Za-z/!][^<>]*$")


def shown(fragment: str) -> str:
    """A quote or a quote's context for reading, its source not at hand: every kind of markup and
    the pinyin glosses out."""
    if not fragment:
        return ""
    fragment = CUT_TAG_AT_END.sub("", CUT_TAG_AT_START.sub("", fragment))
    return normalise(normalise(fragment, "wiki", True).clean, "html", False).clean


def with_shown_quotes(data: dict) -> dict:
    """SPARQL JSON results whose `quote` column holds the quote as shown, and a `quoteVerbatim`
    column right after it with the quote as the source has it (the answer is unchanged when it has
    no `quote` column)."""
    names = data["head"]["vars"]
    if "quote" not in names or "quoteVerbatim" in names:
        return data
    at = names.index("quote") + 1
    data["head"]["vars"] = names[:at] + ["quoteVerbatim"] + names[at:]
    for b in data["results"]["bindings"]:
        q = b.get("quote")
        if q:
            b["quoteVerbatim"] = dict(q)
            b["quote"] = {**q, "value": shown(q["value"])}
    return data
