"""Real SPARQL stores for the publish tests and bench/publish.py: `oxigraph serve` (PyPI package
`oxigraph`) and Apache Jena Fuseki (jena-fuseki-main, which .ci/run copies from Maven into tests/jena/lib
when the Maven repository is reachable). Each runs on a free port in its own process group and is
stopped (group killed, process reaped) by the context manager, whatever happens."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

FUSEKI_VERSION = "5.6.0"
FUSEKI_JAR_ENV = "MINERALGRAPH_FUSEKI_JAR"


@dataclass
class Store:
    name: str
    gsp: str      # Graph Store Protocol endpoint
    query: str    # SPARQL query endpoint


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_command() -> list[str] | None:
    exe = Path(sys.executable).with_name("oxigraph")
    if exe.is_file():
        return [str(exe)]
    found = shutil.which("oxigraph")
    return [found] if found else None


def fuseki_jar() -> Path | None:
    """Fuseki: the jars of tests/jena/lib (jena-fuseki-main, which .ci/run copies from Maven
    with the other Jena jars, see tests/jena.py), or a server jar named by $MINERALGRAPH_FUSEKI_JAR."""
    import jena

    env = os.environ.get(FUSEKI_JAR_ENV)
    if env:
        return Path(env) if Path(env).is_file() else None
    main = jena.LIB / f"jena-fuseki-main-{FUSEKI_VERSION}.jar"
    return main if main.is_file() else None


def fuseki_command(port: int) -> list[str]:
    jar = fuseki_jar()
    if jar is None:
        raise RuntimeError(FUSEKI_MISSING)
    # FusekiMainCmd: the plain server (no UI), an in-memory dataset /ds with update, loopback only
    launch = (["-jar", str(jar)] if os.environ.get(FUSEKI_JAR_ENV)
              else ["-cp", str(jar.parent / "*"), "org.apache.jena.fuseki.main.cmds.FusekiMainCmd"])
    # --mem keeps the dataset on the heap: 512 MB holds the seeds; $MINERALGRAPH_FUSEKI_HEAP for more
    heap = os.environ.get("MINERALGRAPH_FUSEKI_HEAP", "512m")
    return ["java", f"-Xmx{heap}", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", *launch,
            "--port", str(port), "--localhost", "--mem", "--update", "/ds"]


FUSEKI_MISSING = (f"Apache Jena Fuseki {FUSEKI_VERSION} is not installed: .ci/run copies "
                  f"org.apache.jena:jena-fuseki-main:{FUSEKI_VERSION} with Maven into tests/jena/lib, and the Maven "
                  f"repository was not reachable from this machine (or set ${FUSEKI_JAR_ENV} to a Fuseki server jar)")


def _wait_ready(proc: subprocess.Popen, url: str, log: Path, deadline_s: float) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the store exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers: ready
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the store did not answer {url} within {deadline_s:g} s:\n{log.read_text()[-2000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@contextlib.contextmanager
def _run(command: list[str], ready_url: str, deadline_s: float):
    with tempfile.TemporaryDirectory(prefix="mineralgraph-store-") as tmp:
        log = Path(tmp) / "log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    cwd=tmp, start_new_session=True)
        try:
            _wait_ready(proc, ready_url, log, deadline_s)
            yield
        finally:
            _stop(proc)


@contextlib.contextmanager
def oxigraph():
    command = oxigraph_command()
    if command is None:
        raise RuntimeError("`oxigraph` is not installed (pip install oxigraph; it is in the test extra)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with _run([*command, "serve", "--bind", f"127.0.0.1:{port}"], base + "/", 30):
        yield Store("oxigraph", base + "/store", base + "/query")


@contextlib.contextmanager
def fuseki():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with _run(fuseki_command(port), base + "/$/ping", 90):
        yield Store("fuseki", base + "/ds/data", base + "/ds/query")
