"""Helpers shared by the blueprints: plain-text errors, strict parameter parsing, the refusal
every write gets, and a query answer as an HTTP response."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import Response, request
from werkzeug.exceptions import HTTPException

from . import conneg


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


def result_response(answer: dict, choice: conneg.Choice, cap: int) -> Response:
    """A query worker's answer as sent: its body in the negotiated format, truncation in headers."""
    response = Response(answer["body"], content_type=f"{choice.media_type}; charset=utf-8")
    response.headers["Vary"] = "Accept"
    if answer["truncated"]:
        # Machine-readable (header) signal: the body is still a complete, valid document.
        response.headers["X-SPARQL-Truncated"] = "true"
        response.headers["X-SPARQL-MaxRows"] = str(cap)
    return response


def not_acceptable(kind: str) -> ProtocolError:
    return ProtocolError(406, f"None of the requested media types can represent this result. "
                              f"Available: {conneg.available(kind)}", {"Vary": "Accept"})


def negotiate_results(params) -> dict:
    """{result kind: conneg.Choice or None} from Accept and format/output/results in `params`
    (name, value pairs); 406 when no kind of result could be sent."""
    flat = {k: v for k, v in params}
    accept = request.headers.get("Accept")
    formats = {kind: conneg.choose(kind, accept, flat) for kind in conneg.OFFERS}
    if not any(formats.values()):
        raise not_acceptable("solutions")
    return formats


# Names under which a request's Host can be trusted to mean this server (not a client's choice).
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def public_root(settings) -> str:
    """The URL (ending in /) that absolute links in answers start with. Never a Host header a
    client made up: `Host: evil.example` used to be echoed into /queries, /openapi.json, the
    Service Description and VoID. The configured --public-url; else the request's Host when it
    names this machine; else the address the server is bound to."""
    if settings.public_url:
        return settings.public_url
    env = request.environ
    host = request.host.rsplit(":", 1)[0] if not request.host.startswith("[") else request.host.split("]")[0] + "]"
    if host.lower() in LOCAL_HOSTS or host.lower() == str(env.get("SERVER_NAME", "")).lower():
        return request.host_url
    port = str(env.get("SERVER_PORT", ""))
    default = "443" if request.scheme == "https" else "80"
    name = env.get("SERVER_NAME") or "localhost"
    return f"{request.scheme}://{name}{'' if port in ('', default) else ':' + port}/"



# -- paging a stored query's answer (issue 23) -----------------------------------------------
PAGE_PARAMS = ("limit", "offset")
MAX_OFFSET = 10_000_000


def page_params(params, default_limit: int, max_limit: int) -> tuple[int, int]:
    """`limit` (1..max_limit) and `offset` (0..MAX_OFFSET) from the request's (name, value) pairs;
    a value that is not a whole number in range is a 400 naming it."""
    flat = {k: v for k, v in params if k in PAGE_PARAMS}
    out = []
    for name, default, low, high in (("limit", default_limit, 1, max_limit), ("offset", 0, 0, MAX_OFFSET)):
        raw = flat.get(name, "").strip()
        if not raw:
            out.append(default)
            continue
        try:
            value = int(raw)
        except ValueError:
            raise ProtocolError(400, f"{name} must be a whole number from {low} to {high}, not {raw[:40]!r}") from None
        if not low <= value <= high:
            raise ProtocolError(400, f"{name} must be from {low} to {high}, not {value}")
        out.append(value)
    return out[0], out[1]


def paged_text(text: str, limit: int, offset: int) -> str:
    """A stored query's text asking for one page and one row more (the worker keeps `limit` rows
    and says the answer was cut short: there is a next page). Stored queries end in their WHERE
    clause or ORDER BY, never in their own LIMIT (checked by the tests)."""
    return f"{text}\nLIMIT {limit + 1}\nOFFSET {offset}"


def page_url(path: str, params, limit: int, offset: int) -> str:
    """The URL of another page of the same answer: the same parameters, this limit and offset."""
    kept = [(k, v) for k, v in params if k not in PAGE_PARAMS]
    return path + "?" + urlencode(kept + [("limit", limit), ("offset", offset)])
