"""The serve command end to end: a subprocess on a free port, on-disk store; how it stops.

The server must stop on SIGINT and SIGTERM whatever signal dispositions and mask its parent
handed down (a shell starts background jobs with SIGINT ignored; a blocked signal stays blocked
across exec), and leave no query worker or zygote behind, even when it is SIGKILLed."""
from __future__ import annotations

import json

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_cmd(dist_dir, port, *extra) -> list[str]:
    return [sys.executable, "-m", "mineralgraph.server", "--dist", str(dist_dir), "--port", str(port),
            "--workers", "2", *extra]


def _wait_ready(port: int) -> requests.Response:
    for _ in range(600):  # bounded wait for startup (30 s)
        try:
            r = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
            if r.ok:
                return r
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"the server on port {port} never became ready")


def _processes_of(port: int) -> list[int]:
    """Every process started for this server (server, zygote, workers share its command line)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if f"--port\x00{port}\x00".encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def _gone(port: int) -> bool:
    for _ in range(100):  # exits and SIGKILLs are asynchronous: allow a moment
        if not _processes_of(port):
            return True
        time.sleep(0.05)
    return False


def _hostile_parent():
    """Run in the child before exec: what a background shell job or a careless parent leaves."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


def test_serve_subprocess_with_disk_store(dist_dir, tmp_path):
    port = _free_port()
    store = tmp_path / "store"
    cmd = _serve_cmd(dist_dir, port, "--store", str(store))
    for attempt in range(2):  # the second start reuses the on-disk store without reloading
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                preexec_fn=_hostile_parent)
        try:
            ready = _wait_ready(port)
            assert ready.json()["status"] == "ready" and ready.json()["build"] == "fixture"
            assert len(_processes_of(port)) == 4  # server, zygote, two workers
            r = requests.get(f"http://127.0.0.1:{port}/sparql",
                             params={"query": 'SELECT ?s WHERE { ?s ?p "关键矿产"@zh }'})
            assert r.status_code == 200, r.text
            assert r.json()["results"]["bindings"][0]["s"]["value"].endswith("mineral/critical")
        finally:
            proc.send_signal(signal.SIGINT)
            out, _ = proc.communicate(timeout=20)
        assert proc.returncode is not None
        assert b"mineralgraph.access" in out and b"/sparql?query=" in out
        assert _gone(port), f"processes left behind: {_processes_of(port)}"
    # One store per build under --store; its sidecar records the build it was loaded from and a
    # checksum of every store file.
    [loaded] = (tmp_path / "store").glob("build-*.loaded")
    record = json.loads(loaded.read_text())
    assert record["fingerprint"] == "inputs:fixture" and record["quads"] > 0 and record["files"]


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_server_and_workers_end_together(dist_dir, how):
    port = _free_port()
    proc = subprocess.Popen(_serve_cmd(dist_dir, port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=_hostile_parent)
    try:
        _wait_ready(port)
        assert len(_processes_of(port)) == 4
        proc.send_signal(getattr(signal, how))
        proc.wait(timeout=20)
        # SIGKILL gives the server no chance to clean up: the kernel ends the zygote and workers.
        assert _gone(port), f"processes left behind after {how}: {_processes_of(port)}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
