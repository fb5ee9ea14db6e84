"""The serve command end to end: a subprocess on a free port, on-disk store."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import requests


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_subprocess_with_disk_store(dist_dir, tmp_path):
    port = _free_port()
    store = tmp_path / "store"
    cmd = [sys.executable, "-m", "mineralgraph.server", "--dist", str(dist_dir), "--port", str(port),
           "--store", str(store), "--workers", "2"]
    for attempt in range(2):  # the second start reuses the on-disk store without reloading
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            for _ in range(300):  # bounded wait for startup
                try:
                    if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                        break
                except requests.ConnectionError:
                    time.sleep(0.05)
            r = requests.get(f"http://127.0.0.1:{port}/sparql",
                             params={"query": 'SELECT ?s WHERE { ?s ?p "关键矿产"@zh }'})
            assert r.status_code == 200, r.text
            assert r.json()["results"]["bindings"][0]["s"]["value"].endswith("mineral/critical")
        finally:
            proc.send_signal(signal.SIGINT)
            out, _ = proc.communicate(timeout=20)
        assert b"mineralgraph.access" in out and b"/sparql?query=" in out
    assert (tmp_path / "store.loaded").read_text() == "inputs:fixture"
    assert not [p for p in os.listdir("/proc") if p.isdigit() and _is_orphan_worker(p, port)]


def _is_orphan_worker(pid: str, port: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f"--port\x00{port}\x00".encode() in f.read()
    except OSError:
        return False
