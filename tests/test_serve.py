"""`mkdocs serve` rebuilds once when an entry changes, and does not loop on its own output."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from conftest import ENV, copy_project


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local server
        return response.read().decode("utf-8")


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def test_serve_reloads_on_kb_change_without_looping(tmp_path):
    project = copy_project(tmp_path / "project")
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w", encoding="utf-8") as stream:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project, env=ENV, stdout=stream, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/principles/versioning/"
        assert wait_for(lambda: "P4 Versioning" in fetch(url)), log.read_text(encoding="utf-8")
        entry = project / "kb" / "principles" / "versioning.yaml"
        entry.write_text(entry.read_text(encoding="utf-8").replace(
            "title: Versioning", "title: Versioning of everything"), encoding="utf-8")
        assert wait_for(lambda: "P4 Versioning of everything" in fetch(url)), (
            log.read_text(encoding="utf-8"))
        time.sleep(4)  # a loop would show as further builds here
        builds = log.read_text(encoding="utf-8").count("Documentation built")
        assert builds == 2, log.read_text(encoding="utf-8")
    finally:
        server.terminate()
        server.wait(timeout=10)
