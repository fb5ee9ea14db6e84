"""Full-text search over the claims' quotes and the annotators' English glosses, for /search.

The index is SQLite FTS5 with the trigram tokenizer (in the standard library's sqlite3 from SQLite
3.34): trigrams need no word segmentation, so Chinese (数据中心) is found as readily as English,
and a substring of a word matches. It is built in memory from the served graph at the first search
of a build (230 claims on the seeds: a few milliseconds) and kept in the service's per-build cache,
so a reload brings a fresh one and dist/ needs no extra file to check and ship.

What is indexed is folded as the entity search folds names (width, case, Traditional → Simplified),
from the quote as a reader sees it (mg:cleanText: no markup, no inserted pinyin) where the build
made one. Queries of fewer than three characters (锂) cannot use trigrams; they scan with LIKE,
which on a few hundred claims is as fast. A short Latin query (REE) must be a whole word: trigrams
would find it inside "Freeland".
"""
from __future__ import annotations

import re
import sqlite3
import threading

from mineralgraph.build.text import to_simplified

from ..iris import href, local_path
from ..service import service
from . import graph

CLAIMS = """SELECT ?claim ?quote ?clean ?gloss ?source ?sourceId ?start ?end WHERE {
  ?claim a mg:Claim ; prov:value ?quote ; prov:wasQuotedFrom ?source .
  OPTIONAL { ?source dcterms:identifier ?sourceId }
  OPTIONAL { ?claim mg:cleanText ?clean }
  OPTIONAL { ?claim mg:gloss ?gloss }
  OPTIONAL { ?claim mg:anchor ?a . ?a oa:hasSelector ?pos . ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }
}"""
SNIPPET = 70  # characters of the quote either side of the match in a hit's label


class ClaimIndex:
    def __init__(self, rows: list[dict], fold):
        self._fold = fold
        self._lock = threading.Lock()  # one connection, shared by the server's threads
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute("CREATE VIRTUAL TABLE claims USING fts5(text, gloss, tokenize='trigram')")
        self.claims: list[dict] = []
        seen = set()
        for r in rows:
            iri = r["claim"]["value"]
            if iri in seen:
                continue
            seen.add(iri)
            get = lambda k: r.get(k, {}).get("value")  # noqa: E731
            shown = get("clean") or get("quote")
            start, end = get("start"), get("end")
            anchor = f"#claim-{start}-{end}" if start is not None else ""
            source_path = local_path(get("source"))
            self.claims.append({"iri": iri, "shown": shown, "gloss": get("gloss") or "",
                                "source_id": get("sourceId"), "claim_href": href(iri),
                                "href": (source_path + anchor) if source_path else href(iri)})
            self._db.execute("INSERT INTO claims(rowid, text, gloss) VALUES (?, ?, ?)",
                             (len(self.claims) - 1, fold(shown), fold(get("gloss") or "")))

    def search(self, q: str, limit: int) -> list[dict]:
        wanted = self._fold(q)
        words = wanted.split()
        if not words or limit <= 0:
            return []
        if all(len(w) >= 3 for w in words):  # every word as a phrase, all required, best (bm25) first
            sql = "SELECT rowid FROM claims WHERE claims MATCH ? ORDER BY bm25(claims) LIMIT ?"
            args = (" AND ".join('"' + w.replace('"', '""') + '"' for w in words), limit)
        else:  # too short for trigrams: a plain scan
            like = "%" + re.sub(r"([%_\\])", r"\\\1", wanted) + "%"
            sql = "SELECT rowid FROM claims WHERE text LIKE ? ESCAPE '\\' OR gloss LIKE ? ESCAPE '\\' LIMIT ?"
            args = (like, like, limit)
        whole = None
        if re.fullmatch(r"[a-z0-9]{1,4}", wanted):  # an acronym (REE) is a word, not part of "Freeland"
            whole = re.compile(rf"(?<![a-z0-9]){re.escape(wanted)}(?![a-z0-9])")
            args = (*args[:-1], -1)  # every candidate, filtered below
        with self._lock:
            ids = [row[0] for row in self._db.execute(sql, args)]
        if whole is not None:
            ids = [i for i in ids if whole.search(self._fold(self.claims[i]["shown"]))
                   or whole.search(self._fold(self.claims[i]["gloss"]))][:limit]
        return [self._hit(self.claims[i], words[0]) for i in ids]

    def _hit(self, c: dict, word: str) -> dict:
        text = c["shown"]
        at = _light(text).find(word)  # where the match is, in the text's own characters
        in_gloss = at < 0 and word in self._fold(c["gloss"])
        if in_gloss:
            text = c["gloss"]
            at = _light(text).find(word)
        at = max(at, 0)
        lo, hi = max(at - SNIPPET, 0), min(at + len(word) + SNIPPET, len(text))
        snippet = ("…" if lo else "") + " ".join(text[lo:hi].split()) + ("…" if hi < len(text) else "")
        source = c["source_id"] or ""
        return {"iri": c["iri"], "label": snippet, "type": "Claim", "id": c["iri"].rsplit("/", 1)[-1],
                "href": c["href"], "claim_href": c["claim_href"], "source": source,
                "match": "gloss" if in_gloss else "quote"}


def _light(text: str) -> str:
    """Case and script folded, one character for one (the offsets stay the text's)."""
    return "".join(c.casefold() if len(c.casefold()) == 1 else c for c in to_simplified(text))


def index(fold) -> ClaimIndex:
    """The claim index of the build being served, made at its first use."""
    return service().cached("fulltext-claims",
                            lambda: ClaimIndex(graph.select(CLAIMS, cap=100000), fold))
