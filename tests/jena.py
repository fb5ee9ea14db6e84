"""Apache Jena's command-line tools (riotcmd.riot, arq.rsparql, arq.rset, shacl.shacl) and its
SHACL engine as an independent client, parser and validator: Jena 5.6.0 from Maven Central,
pinned in tests/jena/pom.xml, whose jars .ci/run copies into tests/jena/lib/ (git-ignored):
    mvn -q -B -f tests/jena/pom.xml dependency:copy-dependencies
Without them (no java, or the Maven repository unreachable) the Jena tests skip and say why."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

VERSION = "5.6.0"
LIB = Path(os.environ.get("MINERALGRAPH_JENA_LIB", Path(__file__).resolve().parent / "jena" / "lib"))
SHACL_BATCH = Path(__file__).resolve().parent / "jena" / "ShaclBatch.java"

MISSING_REASON = (f"Apache Jena {VERSION} is not installed: .ci/run copies it from Maven Central into "
                  "tests/jena/lib (mvn -f tests/jena/pom.xml dependency:copy-dependencies); missing here: {}")


def missing() -> list[str]:
    """What is missing to run Jena here (empty when everything is in place)."""
    gone = [] if shutil.which("java") else ["java"]
    return gone + [f"{LIB}/{jar}" for jar in (f"jena-cmds-{VERSION}.jar", f"jena-shacl-{VERSION}.jar",
                                               f"jena-fuseki-main-{VERSION}.jar") if not (LIB / jar).is_file()]


def classpath() -> str:
    return str(LIB / "*")


class Jena:
    def __init__(self, workdir: Path | None = None):
        self.cp = classpath()

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
