"""Apache Jena's command-line tools (arq.rsparql, riotcmd.riot) as an independent client and
parser, from Debian's libapache-jena-java (Jena 4.5.0, which .ci/run installs with apt-get).

The Debian jars carry no Class-Path, so the classpath is listed here, once. Debian's jena-core
also ships its embedded Xerces message bundles under org/apache/jena/ext/xerces/ while its
classes look for them under xerces/: without them every Jena command dies at start-up
("internal error" in XSSimpleTypeDecl), so they are copied to where the classes look."""
from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

JAVA_DIR = Path(os.environ.get("MINERALGRAPH_JAVA_DIR", "/usr/share/java"))
JENA = ["jena-arq", "jena-base", "jena-cmds", "jena-core", "jena-dboe-base", "jena-dboe-index",
        "jena-dboe-storage", "jena-dboe-trans-data", "jena-dboe-transaction", "jena-iri",
        "jena-rdfconnection", "jena-shacl", "jena-shex", "jena-tdb", "jena-tdb2"]
# The Debian packages libapache-jena-java depends on, by the jar each installs.
DEPENDENCIES = ["commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io",
                "commons-lang3", "dexx.collection", "gson", "guava", "httpclient", "httpclient-cache",
                "httpcore", "jackson-core", "jackson-databind", "jackson-annotations", "jsonld-java",
                "jakarta.json-api", "protobuf", "slf4j-api", "slf4j-simple", "thrift", "titanium-json-ld"]
_XERCES_MOVED = "org/apache/jena/ext/xerces/"

MISSING_REASON = ("Apache Jena is not installed: .ci/run installs Debian's libapache-jena-java "
                  "(with apt-get) and java; missing here: {}")


def missing() -> list[str]:
    """What is missing to run Jena here (empty when everything is in place)."""
    gone = [] if shutil.which("java") else ["java"]
    return gone + [f"{JAVA_DIR}/{jar}.jar" for jar in JENA + DEPENDENCIES if not (JAVA_DIR / f"{jar}.jar").is_file()]


def classpath(workdir: Path) -> str:
    """The java classpath for Jena's commands; writes the relocated Xerces bundles to workdir."""
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(_XERCES_MOVED) and name.endswith(".properties"):
                target = workdir / "xerces" / name[len(_XERCES_MOVED):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return os.pathsep.join([str(workdir)] + [str(JAVA_DIR / f"{jar}.jar") for jar in JENA + DEPENDENCIES])


class Jena:
    def __init__(self, workdir: Path):
        self.cp = classpath(workdir)

    def command(self, main_class: str, *args: str) -> list[str]:
        # Warnings and errors only on stderr (a parse warning is a finding; INFO lines are noise).
        return ["java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", self.cp, main_class, *args]

    def start(self, main_class: str, *args: str) -> subprocess.Popen:
        """Starts one command (several may run at once: each JVM start costs about a second)."""
        return subprocess.Popen(self.command(main_class, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL)

    @staticmethod
    def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[str, str]:
        """(stdout, stderr) of a started command; fails the test, with Jena's words, if it failed."""
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise AssertionError(f"Jena did not finish within {timeout:g} s: {proc.args[-3:]}")
        out_text, err_text = out.decode("utf-8"), err.decode("utf-8")
        assert proc.returncode == 0, f"{proc.args[-3:]} exited with {proc.returncode}:\n{err_text[-3000:]}"
        return out_text, err_text
