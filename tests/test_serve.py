"""`make serve`: rebuilds once when an entry changes, does not loop on its own output, shows
the problems of a broken knowledge base instead of hanging, runs changed code, names a busy
port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import (
    ENV,
    REPO,
    copy_project,
    fetch,
    free_port,
    mkdocs_serve,
    small_project_with_entry,
    wait_for,
)


def test_serve_reloads_on_kb_change_without_looping(tmp_path):
    project, entry, heading = small_project_with_entry(tmp_path / "project")
    port = free_port()
    log = tmp_path / "serve.log"
    server = mkdocs_serve(project, port, log)
    try:
        url = f"http://127.0.0.1:{port}/principles/{entry.stem}/"
        assert wait_for(lambda: heading in fetch(url)), log.read_text(encoding="utf-8")
        text = entry.read_text(encoding="utf-8")
        entry.write_text(text.replace("\ntitle: ", "\ntitle: Renamed ", 1), encoding="utf-8")
        renamed = heading.replace(" ", " Renamed ", 1)
        assert wait_for(lambda: renamed in fetch(url)), log.read_text(encoding="utf-8")
        # A loop would start another build as soon as this one ended: MkDocs notes the changes
        # a build made (its watcher hears of them while it runs) and starts at once.
        time.sleep(2)
        shown = log.read_text(encoding="utf-8")
        assert shown.count("Documentation built") == 2, shown
        assert shown.count("Detected file changes") == 1, shown
    finally:
        server.terminate()
        server.wait(timeout=10)


# --- problems in the preview, code reloads, the port --------------------------------------


def fetch_any(url: str) -> str:
    """The page at url, also when it comes with an error status (the problems page does)."""
    try:
        return fetch(url)
    except urllib.error.HTTPError as error:
        return error.read().decode("utf-8")


def make_serve(project: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`make serve PORT=port` in a project copy, using this checkout's virtual environment."""
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt", "pyproject.toml"):
        shutil.copy2(REPO / name, project / name)
    venv = REPO / ".venv"
    # The copy's own build code, not the checkout's editable install: tests change it.
    env = {**ENV, "PYTHONPATH": str(project / "scripts")}
    with log.open("w", encoding="utf-8") as stream:
        return subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "serve",
                f"PORT={port}",
                f"VENV={venv}",
                f"STAMP={venv}/.installed-stamp",
            ],
            cwd=project,
            env=env,
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)  # make and the mkdocs it started, nothing else
    server.wait(timeout=20)


def test_serve_shows_problems_recovers_and_survives_a_crash(tmp_path):
    project, entry, heading = small_project_with_entry(tmp_path / "project")
    good = entry.read_text(encoding="utf-8")
    line = next(n for n, text in enumerate(good.split("\n"), 1) if text.startswith("title:"))
    broken = good.replace("\ntitle: ", "\ntitle: \u200b", 1)
    entry.write_text(broken, encoding="utf-8")
    port = free_port()
    log = tmp_path / "serve.log"
    server = make_serve(project, port, log)
    url = f"http://127.0.0.1:{port}/principles/{entry.stem}/"
    where = f"kb/principles/{entry.name}"
    shown = lambda: log.read_text(encoding="utf-8")  # noqa: E731
    try:
        # A broken entry from the start: every address lists the problems, with the hint.
        assert wait_for(lambda: "The knowledge base has 1 problem" in fetch_any(url)), shown()
        page = fetch_any(url)
        assert (
            f"<code>{where}:{line}:8</code>: expected visible text, found U+200B ZERO WIDTH SPACE"
        ) in page
        assert "hint: " in page
        assert fetch_any(f"http://127.0.0.1:{port}/").count(where) == 1
        # Fixed: the site comes back by itself.
        entry.write_text(good, encoding="utf-8")
        assert wait_for(lambda: heading in fetch_any(url)), shown()
        # Broken again while serving: the problems replace the page.
        entry.write_text(broken, encoding="utf-8")
        assert wait_for(lambda: "The knowledge base has 1 problem" in fetch_any(url)), shown()
        entry.write_text(good, encoding="utf-8")
        assert wait_for(lambda: heading in fetch_any(url)), shown()
        # A change to the code is used at the next rebuild; a crash in it does not stop the
        # server, and the page says what happened.
        pipeline = project / "scripts" / "kbsite" / "pipeline.py"
        code = pipeline.read_text(encoding="utf-8")
        pipeline.write_text(
            code.replace(
                "    kb = check_kb(kb_dir, root)\n",
                '    raise RuntimeError("boom from the test")\n',
                1,
            ),
            encoding="utf-8",
        )
        assert wait_for(lambda: "RuntimeError: boom from the test" in fetch_any(url)), shown()
        assert "The build crashed" in fetch_any(url)
        pipeline.write_text(code + "\ndef unfinished(:\n", encoding="utf-8")  # kbsite won't import
        assert wait_for(lambda: "SyntaxError" in fetch_any(url)), shown()
        pipeline.write_text(code, encoding="utf-8")
        assert wait_for(lambda: heading in fetch_any(url)), shown()
        # A warning that fails `make build` (a broken link in docs/) does not stall the preview.
        (project / "docs" / "draft.md").write_text(
            "# Draft page\n\n[gone](gone.md)\n", encoding="utf-8"
        )
        assert wait_for(lambda: "Draft page" in fetch_any(f"http://127.0.0.1:{port}/draft/")), (
            shown()
        )
        assert "Doc file 'draft.md' contains a link 'gone.md'" in shown()
        assert "the preview shows the site anyway" in shown().split("'draft.md'")[-1]
        assert server.poll() is None
        assert "Traceback" not in shown().split("boom from the test")[-1]
    finally:
        stop(server)


def test_make_serve_on_a_port_in_use_says_so_in_one_line(tmp_path):
    project = copy_project(tmp_path / "project")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = make_serve(project, port, tmp_path / "serve.log")
        server.wait(timeout=120)
    lines = (tmp_path / "serve.log").read_text(encoding="utf-8").splitlines()
    assert server.returncode != 0
    assert lines[0] == (
        f"error: port {port} on 127.0.0.1 is in use (Address already in use); "
        "stop the other server or choose another port, e.g. `make serve "
        f"PORT={port + 1}`"
    )
    assert not any("Traceback" in line for line in lines)


def test_check_port_refuses_what_is_not_a_port():
    result = subprocess.run(
        [sys.executable, "-m", "kbsite", "check-port", "80a"],
        env={**ENV, "PYTHONPATH": str(REPO / "scripts")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (
        2,
        "error: expected a port number from 1 to 65535, found `80a`\n",
    )
