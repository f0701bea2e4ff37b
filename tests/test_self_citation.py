"""Citing the knowledge base itself: CITATION.cff, the about page and the site agree."""

from __future__ import annotations

import datetime
import tomllib

import bibtexparser
import pybtex.database
import yaml

from kbsite import check_kb
from kbsite.cite import KB_CITATION_KEY, citation_cff, kb_bibtex

from conftest import REPO

CFF_TEXT = (REPO / "CITATION.cff").read_text(encoding="utf-8")
CFF = yaml.safe_load(CFF_TEXT)


def test_citation_cff_references_follow_the_knowledge_base():
    kb = check_kb(REPO / "kb", REPO)
    assert citation_cff(CFF_TEXT, kb.citations) == CFF_TEXT, "run `kbsite citation-cff`"
    cited = {c.title for c in kb.citations if c.role in ("primary", "framework")}
    assert {r["title"] for r in CFF["references"]} == cited


def test_citation_cff_names_version_release_date_and_address():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert CFF["version"] == project["project"]["version"]
    released = datetime.date.fromisoformat(str(CFF["date-released"]))
    assert released.year >= 2024
    mkdocs = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert f"published_url: {CFF['url']}" in mkdocs
    assert CFF["repository-code"].startswith("https://github.com/")


def test_about_page_shows_the_same_record_in_bibtex():
    bib = kb_bibtex(CFF)
    about = (REPO / "docs" / "about" / "index.md").read_text(encoding="utf-8")
    assert bib in about
    assert f"Version {CFF['version']}, released {CFF['date-released']}" in about
    [entry] = bibtexparser.parse_string(bib).entries
    assert entry.key == KB_CITATION_KEY
    assert (entry["version"], entry["url"]) == (CFF["version"], CFF["url"])
    assert entry["year"] == str(CFF["date-released"])[:4]
    parsed = pybtex.database.parse_string(bib, "bibtex").entries[KB_CITATION_KEY]
    assert len(parsed.persons["author"]) == len(CFF["authors"])
