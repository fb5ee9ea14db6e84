"""The served build's dump files (/dump/, linked from VoID): names, sizes and hashes from the
build's manifest, each dump also offered gzipped."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from mineralgraph.publish import dumpcache
from mineralgraph.publish.dist import made_from

from .service import service

DUMP_TYPES = {".nq": "application/n-quads", ".nt": "application/n-triples", ".ttl": "text/turtle",
              ".trig": "application/trig", ".jsonld": "application/ld+json", ".json": "application/json",
              ".gz": "application/gzip"}
DUMP_NAMES = ("mineralgraph.nq", "mineralgraph.nt", "mineralgraph.trig", "mineralgraph.ttl", "mineralgraph.jsonld")


def media_type(name: str) -> str:
    return DUMP_TYPES.get(Path(name).suffix, "application/octet-stream")


def dump_files() -> list[dict]:
    """The dump files, from the manifest's "files" (bytes, sha256) when the build lists them, and
    its "deferred_files", made on first request (bytes and sha256 known once made); each dump also
    as .gz, compressed on request when the build has no .gz and lists none (no size or hash then)."""
    listed = service().cached("dumps", _list_dumps)
    if not any(f.get("deferred") for f in listed):
        return listed
    dist = service().settings.dist_dir
    # a deferred file's size and hash, once made (by a request or `export --dumps`)
    return [{**f, **(dumpcache.known(Path(dist), f["name"], f["key"]) or {})} if f.get("deferred") else f
            for f in listed]


def _list_dumps() -> list[dict]:
    dist = service().settings.dist_dir
    files: dict[str, dict] = {}
    if dist is not None:
        dist = Path(dist)
        try:
            manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
        listed = manifest.get("files") or {}
        for name, info in listed.items():
            if (dist / name).is_file():
                files[name] = {"bytes": info.get("bytes"), "sha256": info.get("sha256"), "stored": True,
                               "seen": _identity(dist / name)}
        key = dumpcache.build_key(manifest)
        for name in manifest.get("deferred_files") or []:
            if key is not None and made_from(name) in files:
                files[name] = {"bytes": None, "sha256": None, "stored": False, "deferred": True, "key": key}
        for name in DUMP_NAMES:
            if name not in files and (dist / name).is_file():
                files[name] = {**_describe(dist / name), "stored": True, "seen": _identity(dist / name)}
            if name in files and name + ".gz" not in files:
                files[name + ".gz"] = {"bytes": None, "sha256": None, "stored": False}
        if (dist / "manifest.json").is_file():
            files["manifest.json"] = {**_describe(dist / "manifest.json"), "stored": True,
                                      "seen": _identity(dist / "manifest.json")}
    return [{"name": n, "url": f"/dump/{n}", "media_type": media_type(n), **info} for n, info in sorted(files.items())]


def _identity(path: Path) -> tuple:
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


def replaced_on_disk(entry: dict, dist: Path) -> bool:
    """Has the file been rewritten since the served build listed it (a new build being copied
    in)? Then its bytes are not the ones SHA256SUMS and the manifest describe."""
    try:
        now = _identity(dist / entry["name"])
    except OSError:
        return True
    return now != entry.get("seen") or (entry.get("bytes") is not None and now[0] != entry["bytes"])


def _describe(path: Path) -> dict:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return {"bytes": size, "sha256": h.hexdigest()}
