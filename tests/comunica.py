"""Comunica (@comunica/query-sparql, the JavaScript SPARQL engine) as an independent client, from
the npm registry: .ci/run installs the exact versions of tests/node/package-lock.json into
tests/node/node_modules (git-ignored) with `npm ci`.

Two ways in, both what a user of Comunica runs: its command line (`comunica-sparql SOURCE QUERY`)
and its QueryEngine API through tests/node/query.cjs, which runs a batch of queries in one node
process (loading Comunica costs about a second) and prints each answer as Comunica serialises it."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

NODE_DIR = Path(__file__).parent / "node"
PACKAGE = NODE_DIR / "node_modules" / "@comunica" / "query-sparql" / "package.json"
NPM_LOG = NODE_DIR / "npm-ci.log"  # written by .ci/run
CLI = NODE_DIR / "node_modules" / ".bin" / "comunica-sparql"
VERSION = json.loads((NODE_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]["@comunica/query-sparql"]

MISSING_REASON = ("Comunica is not installed: .ci/run installs @comunica/query-sparql {version} from the npm "
                  "registry (`npm ci` in tests/node) and needs node; missing here: {missing}")


def missing() -> list[str]:
    """What is missing to run Comunica here (empty when everything is in place)."""
    gone = [] if shutil.which("node") else ["node"]
    if not PACKAGE.is_file():
        gone.append(f"{PACKAGE.relative_to(NODE_DIR.parents[1])} (run `npm ci` in tests/node)")
        if NPM_LOG.is_file():  # what npm said when .ci/run tried
            said = [line.strip() for line in NPM_LOG.read_text(encoding="utf-8", errors="replace").splitlines()
                    if line.strip() and not re.match(r"npm error\s+at ", line)]  # no stack lines
            if said:
                gone.append("npm ci said: " + " | ".join(said[:4]))
    else:
        installed = json.loads(PACKAGE.read_text(encoding="utf-8"))["version"]
        if installed != VERSION:
            gone.append(f"@comunica/query-sparql {VERSION} (found {installed}: run `npm ci` in tests/node)")
    return gone


def _run(args: list[str], stdin: bytes | None, timeout: float) -> str:
    try:
        proc = subprocess.run(args, input=stdin, capture_output=True, timeout=timeout, cwd=NODE_DIR)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"Comunica did not finish within {timeout:g} s: {args[:3]}")
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 0, f"{args[:3]} exited with {proc.returncode}:\n{err[-3000:]}"
    return proc.stdout.decode("utf-8")


class Comunica:
    version = VERSION

    @staticmethod
    def cli(*args: str, timeout: float = 120) -> str:
        """stdout of `comunica-sparql ARGS` (fails the test, with Comunica's words, if it failed)."""
        return _run(["node", str(CLI), *args], None, timeout)

    @staticmethod
    def engine(jobs: list[dict], timeout: float = 180) -> list[str]:
        """Runs each {"query", "sources", "mediaType"} with QueryEngine; the answers in order, as text.
        A source is "sparql@URL", a URL to dereference, or {"file": path, "mediaType": ...}."""
        answers = json.loads(_run(["node", str(NODE_DIR / "query.cjs")], json.dumps(jobs).encode("utf-8"), timeout))
        errors = [(job["query"][:200], a["error"]) for job, a in zip(jobs, answers) if "error" in a]
        assert not errors, "Comunica failed:\n" + "\n\n".join(f"{q}\n{e}" for q, e in errors)
        return [a["result"] for a in answers]
