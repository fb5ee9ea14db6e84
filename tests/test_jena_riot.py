"""Apache Jena's RIOT parser, independent of ours, reads every dump (plain and .gz; dist/'s and those made on demand)
without a warning or an error and counts exactly the triples/quads the manifest announces."""
from __future__ import annotations

import json
import re

DUMPS = ["nq", "trig", "ttl", "nt", "jsonld"]
QUADS = {"nq", "trig", "jsonld"}  # the datasets; .ttl and .nt are the union graph


def test_riot_parses_every_dump_with_the_manifest_counts(jena, dist_dir, dump_paths):
    manifest = json.loads((dist_dir / "manifest.json").read_text())
    files = [dump_paths[f"mineralgraph.{ext}{gz}"] for ext in DUMPS for gz in ("", ".gz")]
    assert {f.name for f in files} == set(manifest["files"]) | set(manifest["deferred_files"])
    # JSON-LD through Jena 5's JSON-LD 1.1 reader (titanium), in a JVM of its own to use both cores
    rdf = [jena.start("riotcmd.riot", "--count", *[str(f) for f in files if "jsonld" not in f.name])]
    rdf.append(jena.start("riotcmd.riot", "--count", *[str(f) for f in files if "jsonld" in f.name]))
    counts = {}
    for proc in rdf:
        out, err = jena.finish(proc, timeout=300)
        assert "WARN" not in err and "ERROR" not in err, err[-3000:]
        for name, kind, n in re.findall(r"/(mineralgraph\.[a-z.]+) : (Triples|Quads) = ([\d,]+)", out + err):  # riot counts on stderr
            counts[name] = (kind, int(n.replace(",", "")))
    quads = sum(manifest["graphs"].values())
    assert counts == {f.name: ("Quads", quads) if f.name.split(".")[1] in QUADS else ("Triples", manifest["triples"])
                      for f in files}
