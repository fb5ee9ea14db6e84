"""The page frame both sides of the server use: the HTML response (site layout, security
headers), the one "does the client want HTML" decision, and the representations a resource is
offered in (RDF formats and the page), by Accept, ?format= or a suffix."""
from __future__ import annotations

from flask import Response, render_template, request

from . import conneg
from .iris import ONT, iri_base

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'")

# What a resource answers with, server preference first: a client that says nothing (or */*) gets
# Turtle; browsers name text/html explicitly and get the page.
RESOURCE_OFFERS = [
    ("text/turtle", "turtle"),
    ("application/ld+json", "jsonld"),
    ("application/n-triples", "ntriples"),
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
    ("application/rdf+xml", "rdfxml"),
    ("application/x-turtle", "turtle"),
    ("application/json", "jsonld"),
    ("text/plain", "ntriples"),
]
SUFFIXES = {".ttl": "turtle", ".jsonld": "jsonld", ".nt": "ntriples", ".rdf": "rdfxml", ".html": "html"}
SUFFIX_OF = {"turtle": ".ttl", "jsonld": ".jsonld", "ntriples": ".nt", "rdfxml": ".rdf", "html": ".html"}
MEDIA = {"turtle": "text/turtle", "jsonld": "application/ld+json", "ntriples": "application/n-triples",
         "rdfxml": "application/rdf+xml", "html": "text/html"}
FORMAT_NAMES = {"ttl": "turtle", "turtle": "turtle", "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld",
                "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples", "rdf": "rdfxml",
                "rdfxml": "rdfxml", "xml": "rdfxml", "html": "html"}
# The download links of an RDF document's page (SD, VoID)
RDF_DOWNLOADS = [("Turtle", "turtle"), ("JSON-LD", "jsonld"), ("N-Triples", "ntriples"), ("RDF/XML", "rdfxml")]

PLAIN = [("text/plain", "text")]           # a protocol answer: HTML only when asked for by name
JSON = [("application/json", "json")]      # a JSON API: HTML when preferred to JSON


def wants_html(data: list[tuple[str, str]] = PLAIN, format_names: tuple[str, ...] = ()) -> bool:
    """Does the client want the page rather than the data? True when `?format=` is one of
    `format_names` and says html, else when Accept prefers text/html to the `data` offers
    (which win ties)."""
    fmt = request.args.get("format")
    if fmt in format_names:
        return fmt == "html"
    choice = conneg.negotiate(request.headers.get("Accept"), [*data, ("text/html", "html")])
    return choice is not None and choice.key == "html"


def wanted_key() -> str | None:
    """The resource representation asked for by ?format= or Accept (None: nothing acceptable)."""
    fmt = (request.args.get("format") or "").strip().lower()
    if fmt in FORMAT_NAMES:
        return FORMAT_NAMES[fmt]
    choice = conneg.negotiate(request.headers.get("Accept"), RESOURCE_OFFERS)
    return choice.key if choice else None


def html(body: str, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(body, status=status, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def page(template: str, status: int = 200, headers: dict | None = None, **context) -> Response:
    """A template rendered in the site's frame (templates/base.html)."""
    context.setdefault("iri_base", iri_base())
    context.setdefault("ont_base", ONT + "#")  # result charts open ontology terms at /ont#Term
    return html(render_template(template, **context), status, headers)
