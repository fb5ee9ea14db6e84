"""The web front (issue #6), a Flask blueprint `web` registered by server/app.py.

    /                       the front page (front.py): short answers (mechanisms and disagreements, list
                            changes, what is new, figures in dispute), coverage, search; fed by stored queries
    /editor                 query editor (YASGUI, vendored in static/yasgui) on /sparql, one tab per
                            stored query (named by its #+ label) with its first example bound; below it a
                            guide to the graph (classes and counts, sources); /sparql sends browsers here
    /id/REST                every graph IRI BASE + id/REST, by content negotiation:
                              text/html (browsers)            the resource page
                              text/turtle (default, */*)      Turtle
                              application/ld+json             JSON-LD  (also application/json)
                              application/n-triples           N-Triples (also text/plain)
                              application/rdf+xml             RDF/XML
                            or by suffix: /id/REST.ttl .jsonld .nt .rdf .html (or ?format=ttl|jsonld|nt|rdf|html).
                            Answers carry Vary: Accept, Content-Location (the suffixed URL) and Link
                            rel=alternate headers; unknown IRIs are 404, unservable Accept is 406.
                            The RDF is the resource's own triples, those of its #parts (a claim's anchor
                            and selectors) and the triples pointing at it (the mention index aside).
    /id/source/NNN          the source text exactly as received, every claim highlighted at its offsets
                            (<mark id="claim-START-END"> linking to the claim), with its metadata
    /id/claim/NNN/S-E       the quote in its context, the statements it supports, the names in it
    /roster-matrix?mechanism=M&format=xlsx|csv   the roster matrix wide, as on the mechanism page (matrix.py)
    /views/NAME             charts (timeline, lists, network), each fed by a stored query (charts.py)
    /search?q=              entities by any name, variant or code (search.py); quotes and glosses in full text (fulltext.py)
    /cite/source/NNN, /cite/claim/…   a citation: ?format=text|csl|bibtex (citation.py); shown on source and claim pages
    /queries/NAME (HTML)    rendered here (queries_html.query_page) for the /queries blueprint:
                            parameter form with choices, results table with labels and links, CSV/JSON links

The IRI base of the served graph is the one its build recorded (manifest "iri_base"; `mineralgraph
build --iri-base`), held by the service (server/service.py) and mapped to paths by server/iris.py.

Settings (app.config, else environment):
    MINERALGRAPH_SEEDS      where the source texts are (default: seeds/ beside dist/, then the project's);
                            a text is shown only when its sha256 is the one the graph records

Everything from the graph or a source is escaped by Jinja2 autoescaping; pages are sent with a
Content-Security-Policy that allows only this server's own scripts.
"""
from . import charts, citation, front, matrix  # noqa: F401  (register /views/…, /cite/…, / and /roster-matrix)
from .views import bp

__all__ = ["bp"]
