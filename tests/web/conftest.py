"""Fixtures for the web front: a small synthetic graph whose source contains HTML and script
(fast, exact), the real built graph (dist/), live servers for both, and a headless Chromium.

Live servers reuse the endpoint tests' `Live` (werkzeug in a thread, tests/server/conftest.py),
imported by path. Both apps are created (their query workers forked) before any thread starts.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from mineralgraph.build.assemble import describe_quote
from mineralgraph.server import Settings, create_app
from mineralgraph.store.load import load_dist

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("MINERALGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

_spec = importlib.util.spec_from_file_location("_server_conftest", ROOT / "tests" / "server" / "conftest.py")
_server_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_server_conftest)
Live = _server_conftest.Live

BASE = "https://w3id.org/mineralgraph/"
OTHER_BASE = "https://data.example.org/minerals/"
MG = Namespace(BASE + "ont#")
ID = Namespace(BASE + "id/")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
G = Namespace(BASE + "graph/")

# A source that is itself an HTML page with a script in it: quotes taken from it must show as text.
SCRIPT = "<script>window.__pwned = 1; alert('pwned')</script>"
SOURCE_TEXT = (
    "<html><head><title>Test page</title></head><body>\n"
    "<p>前言：关键矿产。</p>\n"
    f"{SCRIPT}<p>美国和日本于2023年签署了<b>关键矿产协定</b>。</p>\n"
    "<p>结束。</p></body></html>\n"
)
CLAIM_QUOTE = f"{SCRIPT}<p>美国和日本于2023年签署了<b>关键矿产协定</b>。"
INNER_QUOTE = "美国和日本"
IMG = "<img src=x onerror=\"window.__pwned=2\">"


def _offsets(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def build_synthetic(directory: Path) -> dict:
    """dist-like directory (mineralgraph.trig) plus seeds/900_test.txt; returns what tests check."""
    ds = Dataset()
    onto, gaz, src = ds.graph(G["ontology"]), ds.graph(G["gazetteer"]), ds.graph(G["source/900"])
    onto.add((MG.Country, RDFS.label, Literal("Country", lang="en")))
    onto.add((MG.Country, RDFS.label, Literal("国家", lang="zh-Hans")))
    onto.add((MG.Mechanism, RDFS.label, Literal("Mechanism", lang="en")))
    onto.add((MG.MembershipStatement, RDFS.label, Literal("Membership statement", lang="en")))
    onto.add((MG.SourceDocument, RDFS.label, Literal("Source document", lang="en")))
    onto.add((MG.Claim, RDFS.label, Literal("Claim", lang="en")))
    jpn, usa, pact = ID["country/JPN"], ID["country/USA"], ID["mechanism/test-pact"]
    for iri, en, hans, hant in ((jpn, "Japan", "日本", "日本"), (usa, "United States", "美国", "美國")):
        gaz.add((iri, RDF.type, MG.Country))
        gaz.add((iri, SKOS.prefLabel, Literal(en, lang="en")))
        gaz.add((iri, SKOS.prefLabel, Literal(hans, lang="zh-Hans")))
        gaz.add((iri, SKOS.prefLabel, Literal(hant, lang="zh-Hant")))
    gaz.add((jpn, SKOS.altLabel, Literal(IMG, lang="en")))  # markup in a label: text, never HTML
    gaz.add((jpn, MG.iso3166Alpha3, Literal("JPN")))
    gaz.add((pact, RDF.type, MG.Mechanism))
    gaz.add((pact, SKOS.prefLabel, Literal("Test <i>pact</i>", lang="en")))
    gaz.add((pact, SKOS.prefLabel, Literal("关键矿产协定", lang="zh-Hans")))
    # a thing published under another IRI base (the configurable-base test)
    fra = URIRef(OTHER_BASE + "id/country/FRA")
    gaz.add((fra, RDF.type, MG.Country))
    gaz.add((fra, SKOS.prefLabel, Literal("France", lang="en")))
    gaz.add((fra, ORG.memberOf, URIRef(OTHER_BASE + "id/mechanism/other")))

    s = ID["source/900"]
    data = SOURCE_TEXT.encode()
    src.add((s, RDF.type, MG.SourceDocument))
    src.add((s, DCTERMS.identifier, Literal("900")))
    src.add((s, RDFS.label, Literal("900: Test <em>source</em>", lang="en")))
    src.add((s, DCTERMS.title, Literal("Test <em>source</em>", lang="en")))
    src.add((s, DCTERMS.title, Literal("测试来源", lang="zh-Hans")))
    src.add((s, DCTERMS.language, Literal("zh-Hans")))
    src.add((s, MG.documentKind, Literal("news")))
    src.add((s, MG.sha256, Literal(hashlib.sha256(data).hexdigest())))
    src.add((s, MG.characterCount, Literal(len(SOURCE_TEXT), datatype=XSD.nonNegativeInteger)))
    claims = {}
    for quote in (CLAIM_QUOTE, INNER_QUOTE):
        start, end = _offsets(SOURCE_TEXT, quote)
        c = ID[f"claim/900/{start}-{end}"]
        claims[quote] = (c, start, end)
        src.add((c, RDF.type, MG.Claim))
        src.add((c, MG.asOf, Literal("2023-05-01", datatype=XSD.date)))
        describe_quote(src, c, s, SOURCE_TEXT, start, end, "zh-Hans")  # as the build writes it
        src.add((c, MG.mentions, jpn))
    for member in (jpn, usa):
        st = ID[f"stmt/membership/test-pact/{member.split('/')[-1]}"]
        src.add((st, RDF.type, MG.MembershipStatement))
        src.add((st, RDF.type, MG.Statement))
        src.add((st, ORG.member, member))
        src.add((st, ORG.organization, pact))
        src.add((claims[CLAIM_QUOTE][0], MG.supports, st))
    src.add((claims[INNER_QUOTE][0], MG.supports, ID["stmt/membership/test-pact/JPN"]))
    mention = ID["mention/900/{}-{}".format(*_offsets(SOURCE_TEXT, "日本"))]
    src.add((mention, RDF.type, MG.Mention))
    src.add((mention, OA.hasBody, jpn))
    src.add((mention, OA.hasTarget, URIRef(f"{mention}#target")))
    src.add((URIRef(f"{mention}#target"), OA.hasSource, s))

    dist = directory / "dist"
    seeds = directory / "seeds"
    dist.mkdir(parents=True)
    seeds.mkdir()
    ds.serialize(destination=str(dist / "mineralgraph.trig"), format="trig")
    (dist / "manifest.json").write_text('{"inputs_sha256": "web-synthetic"}')
    (seeds / "900_0123456789abcdef.txt").write_bytes(data)
    start, end = claims[CLAIM_QUOTE][1:]
    inner = claims[INNER_QUOTE][1:]
    return {"dist": dist, "seeds": seeds, "claim": f"/id/claim/900/{start}-{end}", "anchor": f"claim-{start}-{end}",
            "inner_claim": f"/id/claim/900/{inner[0]}-{inner[1]}", "inner_anchor": f"claim-{inner[0]}-{inner[1]}"}


def _real_dist(tmp_path_factory) -> Path | None:
    """The real graph: $MINERALGRAPH_TEST_DIST, else dist/ as it is (copied, so a concurrent build
    cannot swap it mid-run), else a fresh build. None when none of them works."""
    env = os.environ.get("MINERALGRAPH_TEST_DIST")
    if env:
        return Path(env)
    dist = ROOT / "dist"
    if not (dist / "mineralgraph.nq").is_file():
        try:
            from mineralgraph.pipeline import ensure_built

            dist = Path(ensure_built(ROOT))
        except Exception as err:  # a broken build elsewhere in the tree must not hide web bugs
            logging.getLogger(__name__).warning("no built graph for the web tests: %s", err)
            return None
    copy = tmp_path_factory.mktemp("realdist")
    for f in dist.iterdir():
        if f.is_file():
            shutil.copy(f, copy / f.name)
    return copy


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory) -> dict:
    return build_synthetic(tmp_path_factory.mktemp("websynthetic"))


@pytest.fixture(scope="session")
def _web_servers(synthetic, tmp_path_factory):
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    syn_app = create_app(load_dist(synthetic["dist"]), Settings(workers=1, timeout=20, dist_dir=synthetic["dist"]))
    syn_app.config["MINERALGRAPH_SEEDS"] = str(synthetic["seeds"])
    real_app = None
    real = _real_dist(tmp_path_factory)
    if real is not None:
        real_app = create_app(load_dist(real), Settings(workers=2, timeout=30, dist_dir=real))
        real_app.config["MINERALGRAPH_SEEDS"] = str(ROOT / "seeds")
    servers = {"synthetic": Live(syn_app), "real": Live(real_app) if real_app else None}
    for live in servers.values():
        if live:
            live.thread.start()
    yield servers
    for live in servers.values():
        if live:
            live.stop()


@pytest.fixture(scope="session")
def syn_live(_web_servers) -> Live:
    return _web_servers["synthetic"]


@pytest.fixture(scope="session")
def real_live(_web_servers) -> Live:
    if _web_servers["real"] is None:
        pytest.skip("no built graph (dist/) and the build fails")
    return _web_servers["real"]


@pytest.fixture
def syn_client(syn_live):
    return syn_live.app.test_client()


@pytest.fixture
def real_client(real_live):
    return real_live.app.test_client()


# -- the browser ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def chromium_browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def browser_page(chromium_browser, request):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.outside_requests = []
    pg.dialogs = []

    def _track(req):
        if not req.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
            pg.outside_requests.append(req.url)

    pg.on("request", _track)

    def _dialog(d):
        pg.dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", _dialog)
    yield pg
    shots = os.environ.get("MINERALGRAPH_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(shots) / f"{request.node.name}.png"), full_page=False)
    context.close()
