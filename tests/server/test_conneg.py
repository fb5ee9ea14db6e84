"""Unit tests: Accept parsing and the query-text checks (no server)."""
from mineralgraph.server import conneg, querytext


def test_q_values_pick_highest():
    c = conneg.negotiate("text/csv;q=0.5, application/sparql-results+xml;q=0.9", conneg.SOLUTIONS)
    assert c.key == "xml"


def test_missing_or_wildcard_accept_gives_default():
    assert conneg.negotiate(None, conneg.SOLUTIONS).key == "json"
    assert conneg.negotiate("*/*", conneg.GRAPH).key == "turtle"
    assert conneg.negotiate("", conneg.GRAPH).key == "turtle"


def test_more_specific_range_wins_and_q0_excludes():
    c = conneg.negotiate("text/*;q=0.8, text/xml;q=0, text/csv;q=0, */*;q=0.1", conneg.SOLUTIONS)
    assert c.key == "tsv"
    assert conneg.negotiate("image/png", conneg.SOLUTIONS) is None


def test_junk_accept_is_tolerated():
    assert conneg.negotiate("garbage,;;,text/csv;q=abc", conneg.SOLUTIONS).key == "json"


def test_format_parameter_override_per_kind():
    assert conneg.choose("solutions", "text/csv", {"format": "json"}).key == "json"
    assert conneg.choose("graph", None, {"output": "json"}).key == "jsonld"
    assert conneg.choose("graph", None, {"format": "rdf+xml"}).key == "rdfxml"
    assert conneg.choose("solutions", "text/csv", {"format": "nonsense"}).key == "csv"


def test_service_detection_ignores_strings_iris_names():
    assert querytext.uses_service("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }")
    assert querytext.uses_service("select * { service silent ?e { ?s ?p ?o } }")
    assert querytext.uses_service("SELECT*{FILTER(?a<?b)service<http://x/>{?s ?p ?o}}")
    assert not querytext.uses_service('SELECT ?service { ?s ex:service "SERVICE" } # SERVICE')
    assert not querytext.uses_service("SELECT * { ?s <http://x/SERVICE> ?o }")


def test_from_detection():
    assert querytext.declares_dataset("SELECT * FROM <http://g/> { ?s ?p ?o }")
    assert querytext.declares_dataset("SELECT * FROM NAMED <http://g/> { ?s ?p ?o }")
    assert not querytext.declares_dataset("SELECT ?from { ?s ex:from 'FROM' }")
