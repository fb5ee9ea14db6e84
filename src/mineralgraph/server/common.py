"""Helpers shared by the blueprints: plain-text errors, strict parameter parsing, the state
object the app keeps, and the refusal every write gets."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qsl

from flask import g, request
from werkzeug.exceptions import HTTPException

from .limits import Busy, EngineAborted, QueryTimeout, Settings, WorkerCrashed
from .workers import WorkerPool


@dataclass
class State:
    settings: Settings
    pool: WorkerPool
    stats: dict = field(default_factory=dict)
    iri_base: str = "https://w3id.org/mineralgraph/"  # the build's (manifest "iri_base")
    prefixes: dict = field(default_factory=dict)      # for serialising RDF answers and the JSON-LD @context
    built: datetime = field(default_factory=lambda: datetime.now(timezone.utc))  # the build's time (caching.py)
    build_hash: str = ""  # the build's inputs_sha256 (caching.py): keys every cached answer
    answers: object = None  # the AnswerCache in front of the app (answercache.py)
    http: object = None     # HTTP caching (caching.py): its ETags follow the build served


class ProtocolError(HTTPException):
    """An error answered as text/plain with a readable message."""

    def __init__(self, code: int, message: str, headers: dict | None = None):
        super().__init__(description=message)
        self.code = code
        self.extra_headers = headers or {}

    def get_headers(self, environ=None, scope=None):
        return [("Content-Type", "text/plain; charset=utf-8"), *self.extra_headers.items()]

    def get_body(self, environ=None, scope=None):
        return self.description.rstrip("\n") + "\n"


def parse_params(raw: bytes, charset: str = "utf-8") -> list[tuple[str, str]]:
    """Decode application/x-www-form-urlencoded data exactly once, refusing bad encodings
    instead of silently replacing characters."""
    try:
        text = raw.decode(charset).removeprefix("\ufeff")
        return parse_qsl(text, keep_blank_values=True, encoding=charset, errors="strict")
    except (UnicodeDecodeError, LookupError) as err:
        raise ProtocolError(400, f"Cannot decode the request parameters as {charset}: {err}") from None
    except ValueError as err:
        raise ProtocolError(400, f"Malformed request parameters: {err}") from None


def url_params() -> list[tuple[str, str]]:
    return parse_params(request.query_string)


# The protocol's bodies are UTF-8; US-ASCII is a subset of it. Any other declared charset is
# refused (415) rather than guessed at: a UTF-16 query must not be read as something else.
UTF8_CHARSETS = {"utf-8", "utf8", "us-ascii", "ascii"}


def charset_of() -> str:
    """The request body's charset: UTF-8 when none is declared; anything else is refused."""
    declared = request.mimetype_params.get("charset", "").strip().strip('"').lower()
    if declared and declared not in UTF8_CHARSETS:
        raise ProtocolError(415, f"The request body must be UTF-8; it declares charset={declared}. "
                                 "Re-encode it as UTF-8 (or drop the charset parameter).")
    return "utf-8"


def body_bytes() -> bytes:
    # get_data enforces MAX_CONTENT_LENGTH (413) before reading.
    return request.get_data(cache=True)


READ_ONLY = ("This endpoint is read-only: the graph is built from verified sources, so every fact "
             "leads back to a quote, and a write here would bypass that and be lost at the next build. "
             "To change the data, edit the data files (seeds/sources.yaml, seeds/annotations/NNN.yaml, "
             "seeds/gazetteer/*.yaml; see docs/DATA.md) and run `mineralgraph build`. To load the graph "
             "into a store you can write to, run `mineralgraph publish --to GSP_URL`.")


def refuse_write(what: str, status: int = 403, headers: dict | None = None) -> ProtocolError:
    """The answer to every write (SPARQL Update, Graph Store PUT/POST/DELETE/PATCH)."""
    return ProtocolError(status, f"{what} is not accepted. {READ_ONLY}", headers)


def run_in_pool(state: State, req: dict) -> dict:
    """Send a request to a query worker, turning pool failures into HTTP errors."""
    timeout = state.settings.timeout
    # Every RDF answer is written with the served graph's prefixes (JSON-LD: its @context).
    req = {"prefixes": state.prefixes, **req}
    try:
        answer, waited = state.pool.run(req, timeout)
    except QueryTimeout as err:
        raise ProtocolError(503, f"Query timeout: {err}. Narrow the query or add a LIMIT.",
                            {"Retry-After": "1"}) from None
    except Busy as err:
        raise ProtocolError(503, f"Server busy: {err}.", {"Retry-After": "1"}) from None
    except EngineAborted as err:
        # The query itself ends the engine (issue 18: an ORDER BY over literals of mixed types
        # aborts pyoxigraph 0.5.13 with "comparison function does not implement a total order").
        raise ProtocolError(422, f"This query cannot be answered: {err}. Rewrite it (for example "
                                 "sort on STR(?x) or on one datatype at a time).") from None
    except WorkerCrashed as err:  # a worker killed from outside, twice in a row: worth a retry
        raise ProtocolError(503, f"Query worker lost: {err}. Try again.", {"Retry-After": "1"}) from None
    g.server_timing = [("queue", waited), ("query", answer.get("seconds", 0.0))]
    return answer
