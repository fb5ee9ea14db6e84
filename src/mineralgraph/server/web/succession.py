"""The succession line at the top of a mechanism page: by whom it was succeeded (or whom it
succeeds), since when and according to which source, from the stored query `succession`, so the
page, the CSV at /queries/succession and the roster matrix's `succeededBy` say the same."""
from __future__ import annotations

from ..iris import href
from ..service import service
from .graph import select, value


def lines(mechanism_iri: str) -> dict | None:
    """{succeeded_by: [...], succeeds: [...]}, each other mechanism with its dates and sources; None when no source states a succession."""
    query = service().stored_queries().get("succession")
    if query is None:
        return None
    rows = select(service().prepare(query, {"mechanism": [mechanism_iri]}), cap=1_000)
    if not rows:
        return None
    out: dict[str, dict[str, dict]] = {"succeeded_by": {}, "succeeds": {}}
    for r in rows:
        before = value(r, "predecessor") == mechanism_iri
        side, other = ("succeeded_by", "successor") if before else ("succeeds", "predecessor")
        o = out[side].setdefault(value(r, other), {
            "href": href(value(r, other)), "label": value(r, f"{other}Label") or value(r, f"{other}Id"), "dates": []})
        # one entry per date as given, each with the sources (and their quotes) that give it
        since = value(r, "since") or ""
        date = next((d for d in o["dates"] if d["since"] == since), None)
        if date is None:
            date = {"since": since, "sources": []}
            o["dates"].append(date)
        date["sources"].append({"id": value(r, "sourceId"), "href": href(value(r, "claim")), "quote": value(r, "quote")})
    for side in out:
        for o in out[side].values():
            o["dates"].sort(key=lambda d: (d["since"] == "", d["since"]))
    return {side: list(v.values()) for side, v in out.items()}
