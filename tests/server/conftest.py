"""Live servers for the endpoint tests: real HTTP on loopback, werkzeug in a thread.

Both apps are created (and so their query workers forked) before any server thread starts."""
from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from mineralgraph.server import Settings, close_app, create_app
from mineralgraph.store.load import load_dist

DATA = Path(__file__).parent / "data"
G = "https://w3id.org/mineralgraph/graph/"


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # the app writes its own access line
        pass


@pytest.fixture(scope="session")
def dist_dir(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    shutil.copy(DATA / "mini.trig", dist / "mineralgraph.trig")
    (dist / "manifest.json").write_text('{"inputs_sha256": "fixture"}')
    return dist


class Live:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.sparql = self.url + "/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def stop(self):
        self.server.shutdown()
        close_app(self.app)


@pytest.fixture(scope="session")
def _servers(dist_dir):
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    store = load_dist(dist_dir)
    main = Live(create_app(store, Settings(workers=2, timeout=10, dist_dir=dist_dir)))
    tight = Live(create_app(load_dist(dist_dir), Settings(
        workers=2, timeout=1.0, max_results=5, max_body=2000, max_url=3000, dist_dir=dist_dir)))
    for live in (main, tight):
        live.thread.start()
    yield {"main": main, "tight": tight}
    for live in (main, tight):
        live.stop()


@pytest.fixture(scope="session")
def live(_servers) -> Live:
    return _servers["main"]


@pytest.fixture(scope="session")
def tight(_servers) -> Live:
    return _servers["tight"]


@pytest.fixture(scope="session")
def start_server():
    """start_server(dist_dir, **settings) -> a running Live on its own free port, stopped at the
    end of the session (for tests that need their own data or settings)."""
    started: list[Live] = []

    def start(dist: Path, **settings) -> Live:
        live = Live(create_app(load_dist(dist), Settings(**{"workers": 1, "timeout": 10, **settings}, dist_dir=dist)))
        live.thread.start()
        started.append(live)
        return live

    yield start
    for live in started:
        live.stop()


@pytest.fixture(scope="session")
def msp_001_members() -> list[tuple[str, str]]:
    """The MSP members source 001 names, (IRI, zh-Hans name), sorted: what the real-client tests expect.
    001: "参与这项矿物安全合作伙伴关系的包括澳大利亚、加拿大、芬兰、法国、德国、日本、韩国、瑞典、英国、美国和欧盟委员会。"
    The European Commission stands for the EU (id/org/eu, 欧盟) in the graph."""
    names = {"AUS": "澳大利亚", "CAN": "加拿大", "FIN": "芬兰", "FRA": "法国", "DEU": "德国", "JPN": "日本",
             "KOR": "韩国", "SWE": "瑞典", "GBR": "英国", "USA": "美国"}
    members = {f"https://w3id.org/mineralgraph/id/country/{code}": name for code, name in names.items()}
    members["https://w3id.org/mineralgraph/id/org/eu"] = "欧盟"
    return sorted(members.items())
