"""Citing the knowledge base itself: one declaration (pyproject.toml), and CITATION.cff, the
about page, its BibTeX and the built site all agree with it; releases are tagged."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import bibtexparser
import pybtex.database
import pytest
import yaml

from kbsite import check_kb
from kbsite.cite import (
    CFF_HEADER,
    HOW_TO_CITE_END,
    HOW_TO_CITE_START,
    KB_CITATION_KEY,
    citation_cff,
    how_to_cite,
    kb_bibtex,
    kb_identity,
)
from kbsite.release import ReleaseError, check_request, set_version, tag_message
from kbsite.write import UnsafeWriteError, write_generated_file

from conftest import REPO, CliResult, cff_errors, run_kbsite

PYPROJECT_TEXT = (REPO / "pyproject.toml").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads(PYPROJECT_TEXT)
VERSION = PYPROJECT["project"]["version"]
RELEASED = PYPROJECT["tool"]["kbsite"]["citation"]["date-released"]
CFF_TEXT = (REPO / "CITATION.cff").read_text(encoding="utf-8")
CFF = yaml.safe_load(CFF_TEXT)
ABOUT = (REPO / "docs" / "about" / "index.md").read_text(encoding="utf-8")


def test_citation_cff_is_generated_from_pyproject_and_the_knowledge_base():
    kb = check_kb(REPO / "kb", REPO)
    assert CFF_TEXT.startswith(CFF_HEADER)
    assert citation_cff(kb_identity(PYPROJECT), kb.citations) == CFF_TEXT, (
        "run `python -m kbsite citation-cff`"
    )
    cited = {c.title for c in kb.citations if c.role in ("primary", "framework")}
    assert {r["title"] for r in CFF["references"]} == cited
    assert cff_errors(CFF) == []


def test_the_cff_schema_check_reports_an_invalid_file():
    """The control: the same check finds a wrong type, a missing field and a bad DOI."""
    broken = {**CFF, "type": "article", "doi": "10.1000/a}b"}
    del broken["title"]
    found = cff_errors(broken)
    assert any(line.startswith("type: ") for line in found)
    assert any(line.startswith("doi: ") for line in found)
    assert any("'title' is a required property" in line for line in found)


def test_the_version_and_date_are_the_same_everywhere():
    identity = kb_identity(PYPROJECT)
    assert (CFF["version"], str(CFF["date-released"])) == (VERSION, RELEASED)
    datetime.date.fromisoformat(RELEASED)
    record = f"Version {VERSION}, released {RELEASED}, at <{CFF['url']}>"
    assert ABOUT.count(record) == 1
    assert f"{HOW_TO_CITE_START}\n\n{how_to_cite(identity)}\n{HOW_TO_CITE_END}" in ABOUT
    [entry] = bibtexparser.parse_string(kb_bibtex(identity)).entries
    assert (entry["version"], entry["year"], entry["url"]) == (VERSION, RELEASED[:4], CFF["url"])
    assert entry["note"] == f"Version {VERSION}, released {RELEASED}"
    mkdocs = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert f"published_url: {CFF['url']}" in mkdocs
    assert CFF["repository-code"].startswith("https://github.com/")


def test_about_page_bibtex_reads_back_in_both_parsers():
    bib = kb_bibtex(CFF)
    assert bib in ABOUT
    [entry] = bibtexparser.parse_string(bib).entries
    assert entry.key == KB_CITATION_KEY
    parsed = pybtex.database.parse_string(bib, "bibtex").entries[KB_CITATION_KEY]
    assert len(parsed.persons["author"]) == len(CFF["authors"])


def test_a_missing_identity_field_is_named():
    declared = {"project": {"version": VERSION}, "tool": {"kbsite": {"citation": {}}}}
    with pytest.raises(Exception, match="expected `message`, `type`, `title`, ") as caught:
        kb_identity(declared)
    assert "[tool.kbsite.citation] ([project] for `version`), found none" in str(caught.value)


def test_the_writer_never_overwrites_a_hand_written_citation_file(tmp_path):
    path = tmp_path / "CITATION.cff"
    path.write_text("cff-version: 1.2.0\ntitle: My own\n", encoding="utf-8")
    with pytest.raises(UnsafeWriteError) as caught:
        write_generated_file(path, CFF_HEADER + "title: Generated\n", CFF_HEADER)
    assert str(caught.value) == (
        f"{path}: expected the generated file (first line `{CFF_HEADER.splitlines()[0]}`), "
        "found a hand-written one; it was left alone\n    hint: put its changes where the "
        "header says, delete the file, and run the command again"
    )
    assert path.read_text(encoding="utf-8") == "cff-version: 1.2.0\ntitle: My own\n"
    path.write_text(CFF_HEADER + "title: Old\n", encoding="utf-8")
    assert write_generated_file(path, CFF_HEADER + "title: New\n", CFF_HEADER) is True
    assert write_generated_file(path, CFF_HEADER + "title: New\n", CFF_HEADER) is False
    assert path.read_text(encoding="utf-8") == CFF_HEADER + "title: New\n"


def test_release_requests_are_checked():
    check_request("0.2.0", "2027-01-15", "0.1.0")
    check_request("0.10.0", "2027-01-15", "0.9.3")
    check_request(VERSION, RELEASED, VERSION)  # the current version: tag it as it is
    for version, date, message in [
        ("1.2", "2027-01-15", "expected a version such as 1.2.0 (x.y.z), found `1.2`"),
        ("v1.2.0", "2027-01-15", "expected a version such as 1.2.0 (x.y.z), found `v1.2.0`"),
        ("0.2.0", "15/01/2027", "expected a date such as 2026-12-01 (YYYY-MM-DD), found "),
        ("0.0.9", "2027-01-15", "expected a version from 0.1.0 on (the current one), found"),
    ]:
        with pytest.raises(ReleaseError, match=message.replace("(", r"\(").replace(")", r"\)")):
            check_request(version, date, "0.1.0")


def test_set_version_changes_only_the_version_and_the_date():
    text = set_version(PYPROJECT_TEXT, "9.8.7", "2031-02-03")
    changed = tomllib.loads(text)
    assert changed["project"]["version"] == "9.8.7"
    assert changed["tool"]["kbsite"]["citation"]["date-released"] == "2031-02-03"
    assert (
        text.replace('"9.8.7"', f'"{VERSION}"', 1).replace('"2031-02-03"', f'"{RELEASED}"', 1)
        == PYPROJECT_TEXT
    )


def test_tag_message_lists_the_changes_to_the_knowledge_base():
    assert tag_message("0.2.0", "2027-01-15", ["Add a benefit"], "v0.1.0") == (
        "MLOps Principles Knowledge Base 0.2.0, released 2027-01-15\n\n"
        "Changes to the knowledge base since v0.1.0:\n\n- Add a benefit\n"
    )


def _git(folder: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=folder, capture_output=True, text=True, check=True
    ).stdout


def _release(folder: Path, *arguments: str) -> CliResult:
    return run_kbsite("release", *arguments, cwd=folder)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A git checkout of the files a release touches, with the real kb/."""
    if shutil.which("git") is None:
        pytest.fail("git is needed: a release is a git tag")
    for name, value in {
        "GIT_AUTHOR_NAME": "Release Test",
        "GIT_AUTHOR_EMAIL": "release@example.org",
        "GIT_COMMITTER_NAME": "Release Test",
        "GIT_COMMITTER_EMAIL": "release@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }.items():
        monkeypatch.setenv(name, value)
    folder = tmp_path / "project"
    (folder / "docs" / "about").mkdir(parents=True)
    shutil.copytree(REPO / "kb", folder / "kb")
    for name in ("pyproject.toml", "CITATION.cff", "docs/about/index.md"):
        shutil.copy2(REPO / name, folder / name)
    _git(folder, "init", "--quiet", "--initial-branch=main")
    _git(folder, "add", ".")
    _git(folder, "commit", "--quiet", "-m", "Start")
    return folder


def test_release_sets_the_version_everywhere_commits_and_tags(project):
    (project / "kb" / "README.txt").write_text("x\n", encoding="utf-8")
    _git(project, "add", ".")
    _git(project, "commit", "--quiet", "-m", "Add a note to kb")
    result = _release(project, "99.0.0", "--date", "2031-02-03")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "next: push the commit and the tag yourself: git push origin HEAD v99.0.0"
    )
    cff = yaml.safe_load((project / "CITATION.cff").read_text(encoding="utf-8"))
    assert (cff["version"], cff["date-released"]) == ("99.0.0", "2031-02-03")
    about = (project / "docs" / "about" / "index.md").read_text(encoding="utf-8")
    assert "Version 99.0.0, released 2031-02-03, at <" in about
    assert "version = {99.0.0}," in about
    assert _git(project, "status", "--porcelain") == ""
    assert _git(project, "log", "-1", "--format=%s").strip() == "Release v99.0.0 (2031-02-03)"
    assert _git(project, "cat-file", "-t", "v99.0.0").strip() == "tag"  # annotated
    message = _git(project, "tag", "-l", "--format=%(contents)", "v99.0.0")
    assert message.startswith("MLOps Principles Knowledge Base 99.0.0, released 2031-02-03\n")
    assert "- Add a note to kb\n" in message
    again = _release(project, "99.0.0")
    assert again.returncode == 1
    assert again.stderr == "error: expected a new release, found the tag v99.0.0 already\n"


def test_release_of_the_current_version_only_tags_it(project):
    result = _release(project, VERSION)
    assert result.returncode == 0, result.stderr
    assert _git(project, "log", "--format=%s") == "Start\n"  # nothing to commit
    assert _git(project, "cat-file", "-t", f"v{VERSION}").strip() == "tag"
    assert f"released {RELEASED}" in _git(project, "tag", "-l", "--format=%(contents)")


def test_release_refuses_a_dirty_tree_and_changes_nothing(project):
    (project / "kb" / "stray.txt").write_text("x\n", encoding="utf-8")
    result = _release(project, "99.0.0")
    assert result.returncode == 1
    assert result.stderr == (
        "error: expected a clean working tree, found uncommitted changes (see `git status`); "
        "commit or stash them first\n"
    )
    assert (project / "pyproject.toml").read_text(encoding="utf-8") == PYPROJECT_TEXT
    assert _git(project, "tag", "--list") == ""
