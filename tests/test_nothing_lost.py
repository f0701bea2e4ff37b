"""Nothing is lost: the writer deletes only what it wrote, inside its folder, and a failed site
build, with `make build` or a plain `mkdocs build`, leaves the previous site whole."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kbsite.write import MANIFEST, MANIFEST_HEADER, UnsafeWriteError, write_tree

from conftest import ENV, FIXTURE_KB, OLD_SITE, REPO, mkdocs_build, small_project


def manifest(*lines: str) -> str:
    return "\n".join([MANIFEST_HEADER, *lines]) + "\n"


def entry(content: bytes, name: str) -> str:
    return f"{hashlib.sha256(content).hexdigest()} {name}"


# --- the writer -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "listed",
    ["../victim.txt", "{victim}", "sub/../../victim.txt", "./../victim.txt", "link/victim.txt"],
)
def test_manifest_entries_outside_the_folder_are_never_deleted(tmp_path, listed):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    (out / "link").symlink_to(tmp_path)
    name = listed.format(victim=victim)
    (out / MANIFEST).write_text(manifest(entry(b"precious\n", name)), encoding="utf-8")
    report = write_tree({"a.md": "A\n"}, out)
    assert victim.read_bytes() == b"precious\n"
    assert report.removed == ()
    assert report.kept == (name,)


def test_a_hand_edited_output_is_neither_deleted_nor_overwritten(tmp_path):
    write_tree({"a.md": "A\n", "b.md": "B\n"}, tmp_path)
    (tmp_path / "b.md").write_text("B, with my notes\n", encoding="utf-8")
    report = write_tree({"a.md": "A\n"}, tmp_path)
    assert report.kept == ("b.md",)
    assert (tmp_path / "b.md").read_text(encoding="utf-8") == "B, with my notes\n"
    (tmp_path / "a.md").write_text("A, edited\n", encoding="utf-8")
    with pytest.raises(UnsafeWriteError, match=r"found 1 it did not write: a\.md"):
        write_tree({"a.md": "A again\n"}, tmp_path)
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == "A, edited\n"


def test_a_manifest_listing_a_hand_written_file_by_name_only_deletes_nothing(tmp_path):
    (tmp_path / "notes.md").write_text("mine\n", encoding="utf-8")
    (tmp_path / MANIFEST).write_text("notes.md\n", encoding="utf-8")  # the old format, or forged
    write_tree({"a.md": "A\n"}, tmp_path)
    assert (tmp_path / "notes.md").read_text(encoding="utf-8") == "mine\n"


def test_outputs_are_never_written_through_a_link(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "citations").symlink_to(elsewhere)
    with pytest.raises(UnsafeWriteError) as raised:
        write_tree({"index.md": "I\n", "citations/x.bib": "@misc{x}\n"}, out)
    assert str(raised.value) == (
        f"{out}: expected outputs inside the folder, found citations/x.bib leading out of it\n"
        "    hint: an output path passes through a symbolic link; remove the link"
    )
    assert list(elsewhere.iterdir()) == []
    assert not (out / "index.md").exists()


def test_a_manifest_that_is_a_link_to_dev_zero_is_ignored(tmp_path):
    (tmp_path / MANIFEST).symlink_to("/dev/zero")
    report = write_tree({"a.md": "A\n"}, tmp_path)
    assert report.written == ("a.md",)
    assert not (tmp_path / MANIFEST).is_symlink()


def test_kbsite_build_keeps_files_outside_its_folder(tmp_path):
    shutil.copytree(FIXTURE_KB, tmp_path / "kb")
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    (out / MANIFEST).write_text(
        manifest(entry(b"precious\n", "../victim.txt"), entry(b"precious\n", str(victim))),
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "scripts")}
    result = subprocess.run(
        [sys.executable, "-m", "kbsite", "build", "--kb", "kb", "--out", "out"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert victim.read_bytes() == b"precious\n"
    assert "note: ../victim.txt was written by an earlier build but is outside out" in (
        result.stdout
    )


# --- the site build ---------------------------------------------------------------------------


def _old_site(site: Path) -> dict[str, bytes]:
    site.mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_bytes(b"<p>the previous site</p>\n")
    (site / "principles").mkdir(exist_ok=True)
    (site / "principles" / "index.html").write_bytes(b"<p>previous principles</p>\n")
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The small project: what these tests break fails a build of any content."""
    return small_project(tmp_path_factory.mktemp("nothing-lost") / "project")


def test_clash_with_a_hand_written_page_leaves_the_previous_site_whole(project, tmp_path):
    site = tmp_path / "site"
    before = _old_site(site)
    clash = project / "docs" / "principles" / "index.md"
    clash.parent.mkdir(parents=True, exist_ok=True)
    clash.write_text("# Mine\n", encoding="utf-8")
    try:
        result = mkdocs_build(project, site)
    finally:
        clash.unlink()
    assert result.returncode != 0
    assert "docs/ has hand-written files where generated pages belong: principles/index.md" in (
        result.stderr
    )
    assert _files(site) == before


def test_strict_warning_leaves_the_previous_site_whole(project, tmp_path):
    site = tmp_path / "site"
    before = _old_site(site)
    page = project / "docs" / "broken-link.md"
    page.write_text("# Broken\n\n[missing](no-such-page.md)\n", encoding="utf-8")
    try:
        result = mkdocs_build(project, site)
    finally:
        page.unlink()
    assert result.returncode != 0
    assert "no-such-page.md" in result.stderr
    assert _files(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging folder left


def test_broken_entry_leaves_the_previous_site_whole(project, tmp_path):
    site = tmp_path / "site"
    before = _old_site(site)
    entry_file = min((project / "kb" / "principles").glob("*.yaml"))
    text = entry_file.read_text(encoding="utf-8")
    entry_file.write_text(text.replace("title:", "title: [unclosed"), encoding="utf-8")
    try:
        result = mkdocs_build(project, site)
    finally:
        entry_file.write_text(text, encoding="utf-8")
    assert result.returncode != 0
    assert f"kb/principles/{entry_file.name}:" in result.stderr
    assert _files(site) == before


def test_successful_build_replaces_the_site_whole(rebuilt_site):
    # rebuilt_site: the real project built into a folder that held OLD_SITE (conftest), the
    # same build test_site_build checks for determinism.
    assert "stale.html" in OLD_SITE
    assert not (rebuilt_site / "stale.html").exists()
    assert OLD_SITE["index.html"] != (rebuilt_site / "index.html").read_bytes()
    assert b"the previous site" not in (rebuilt_site / "index.html").read_bytes()
    assert sorted(p.name for p in rebuilt_site.parent.iterdir()) == ["site"]


def test_make_build_failure_leaves_the_previous_site_whole(project):
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt", "pyproject.toml"):
        shutil.copy2(REPO / name, project / name)
    site = project / "site"
    before = _old_site(site)
    page = project / "docs" / "broken-link.md"
    page.write_text("# Broken\n\n[missing](no-such-page.md)\n", encoding="utf-8")
    venv = REPO / ".venv"
    try:
        result = subprocess.run(
            [
                "make",
                "--no-print-directory",
                "build",
                f"VENV={venv}",
                f"STAMP={venv}/.installed-stamp",
            ],
            cwd=project,
            env=ENV,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
    finally:
        page.unlink()
    assert result.returncode != 0
    assert "no-such-page.md" in result.stderr  # the build ran, and failed on the broken link
    assert _files(site) == before
