"""The real MkDocs build: strict, deterministic, offline, safe with hostile text, and atomic."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import lxml.html
import yaml

from kbsite import check_kb
from kbsite.graph import build_graph

from conftest import REPO, mkdocs_build, small_project


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_every_entry_has_a_page(built_site):
    kb = check_kb(REPO / "kb", REPO)
    for folder, entries in (
        ("principles", kb.principles),
        ("benefits", kb.benefits),
        ("limitations", kb.limitations),
        ("citations", kb.citations),
    ):
        for entry in entries:
            assert (built_site / folder / entry.id / "index.html").is_file(), entry.id
        assert (built_site / folder / "index.html").is_file()
    for page in (
        "evidence/index.html",
        "evidence/gaps/index.html",
        "evidence/cross-cutting/index.html",
        "tags/index.html",
    ):
        assert (built_site / page).is_file()


def test_json_export_matches_the_knowledge_base(built_site):
    kb = check_kb(REPO / "kb", REPO)
    graph = build_graph(kb)
    data = json.loads((built_site / "api" / "kb.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in data["principles"]] == [p.id for p in kb.principles]
    for exported in data["principles"]:
        benefits = {b.id for b in graph.benefits_of(exported["id"])}
        assert set(exported["benefits"]) == benefits, exported["id"]
        assert exported["page"] == f"principles/{exported['id']}/"
        assert (built_site / exported["page"] / "index.html").is_file()


EXTERNAL_LOAD = re.compile(
    r"""<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc=["']?(?:https?:)?//"""
    r"""|<link\b(?![^>]*\brel=["']?canonical)[^>]*\bhref=["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//""",
    re.I,
)
"""Anything a browser would fetch; a canonical link names the page's address, fetches nothing."""


def test_no_page_loads_anything_from_an_outside_host(built_site):
    offenders = []
    for path in sorted(built_site.rglob("*")):
        if path.suffix in (".html", ".css"):
            text = path.read_text(encoding="utf-8")
            offenders += [
                f"{path.relative_to(built_site)}: {m.group(0)}"
                for m in EXTERNAL_LOAD.finditer(text)
            ]
    assert offenders == []
    assert "fonts.googleapis.com" not in (built_site / "index.html").read_text(encoding="utf-8")


def test_build_is_byte_for_byte_deterministic(built_site, rebuilt_site):
    # rebuilt_site: a second build of the same project (shared with test_nothing_lost).
    assert tree_digest(rebuilt_site) == tree_digest(built_site)


def _first_benefit_file(project: Path) -> Path:
    return min((project / "kb" / "benefits").glob("*.yaml"))


def test_broken_kb_fails_build_and_keeps_previous_site(built_site, tmp_path):
    project = small_project(tmp_path / "project")
    site = tmp_path / "site"
    shutil.copytree(built_site, site)  # the previous site: the real one, built once per run
    before = tree_digest(site)
    benefit = _first_benefit_file(project)
    text = benefit.read_text(encoding="utf-8")
    line = text[: text.index("\nprinciples:") + 1].count("\n") + 1
    benefit.write_text(text.replace("\nprinciples:", "\nprincipels:"), encoding="utf-8")
    result = mkdocs_build(project, site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        f"kb/benefits/{benefit.name}:{line}:1: expected a field of a benefit, found "
        "unknown field `principels`"
    ) in result.stderr
    assert "hint: did you mean `principles`?" in result.stderr
    assert tree_digest(site) == before


def test_hand_written_page_is_never_shadowed(tmp_path):
    project = small_project(tmp_path / "project")
    principle = min((project / "kb" / "principles").glob("*.yaml")).stem
    (project / "docs" / "principles").mkdir()
    mine = project / "docs" / "principles" / f"{principle}.md"
    mine.write_text("# Mine\n", encoding="utf-8")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 1
    assert (
        f"hand-written files where generated pages belong: principles/{principle}.md"
        in result.stderr
    )
    assert mine.read_text(encoding="utf-8") == "# Mine\n"


def test_citation_pages_carry_coins_and_downloads_and_nothing_for_google_scholar(built_site):
    graph = build_graph(check_kb(REPO / "kb", REPO))
    for citation in graph.kb.citations:
        page = (built_site / "citations" / citation.id / "index.html").read_text(encoding="utf-8")
        assert '<meta name="citation_' not in page, citation.id
        assert page.count('<span class="Z3988" title="') == 1, citation.id
        assert f'href="../{citation.id}.bib"' in page
        first = (
            (built_site / "citations" / f"{citation.id}.bib")
            .read_text(encoding="utf-8")
            .splitlines()[0]
        )
        assert first.startswith("@"), citation.id
        assert first.endswith(f"{{{citation.id},"), citation.id


def test_citation_pages_offer_coins_to_zotero_and_nothing_to_google_scholar(built_site):
    from html import unescape
    from urllib.parse import parse_qsl

    page = (built_site / "citations" / "araujo-2024" / "index.html").read_text(encoding="utf-8")
    assert '<meta name="citation_' not in page  # the page is about the paper, not the paper
    [title] = re.findall(r'<span class="Z3988" title="([^"]*)"></span>', page)
    pairs = parse_qsl(unescape(title))
    assert ("rft_val_fmt", "info:ofi/fmt:kev:mtx:book") in pairs
    assert ("rft.genre", "proceeding") in pairs  # Zotero: conferencePaper
    assert [v for k, v in pairs if k == "rft.au"] == [
        "Araujo, Gabriel",
        "Kalinowski, Marcos",
        "Endler, Markus",
        "Calefato, Fabio",
    ]
    assert ("rft_id", "info:doi/10.5220/0012741100003690") in pairs
    assert not any(k == "rft.description" for k, _ in pairs)  # no invented abstract
    assert '<link rel="canonical" href="https://' in page
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    assert "citations/araujo-2024/</loc>" in sitemap
    assert 'href="../araujo-2024.bib"' in page
    assert (
        (built_site / "citations" / "araujo-2024.bib")
        .read_text(encoding="utf-8")
        .startswith("@inproceedings{araujo-2024,")
    )
    assert (built_site / "references.bib").is_file()
    assert (built_site / "CITATION.cff").read_text(encoding="utf-8") == (
        REPO / "CITATION.cff"
    ).read_text(encoding="utf-8")
    for principle in check_kb(REPO / "kb", REPO).principles:
        page = (built_site / "principles" / principle.id / "index.html").read_text(encoding="utf-8")
        assert f'href="../{principle.id}.bib"' in page


# ---------------------------------------------------------------------------------------------
# Edit and report links: only with a configured repository, and to it


def _repository(project: Path) -> str:
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    return (config.get("extra") or {}).get("repository") or config.get("repo_url") or ""


def _footer_links(page: Path) -> dict[str, str]:
    root = lxml.html.fromstring(page.read_bytes())
    return {
        a.text_content(): a.get("href")
        for a in root.iter("a")
        if a.text_content() in ("Edit this entry", "Report a problem")
    }


def test_edit_and_report_links_point_to_the_configured_repository(built_site):
    repository = _repository(REPO).rstrip("/")
    assert repository, "mkdocs.yml configures the repository the site's links point to"
    kb = check_kb(REPO / "kb", REPO)
    entries = [*kb.principles, *kb.findings, *kb.citations, *kb.studies, *kb.guides]
    for entry in entries:
        page = built_site / f"{entry.type}s".replace("studys", "studies") / entry.id / "index.html"
        found = _footer_links(page)
        assert found["Edit this entry"] == f"{repository}/edit/main/{entry.source.path}", page
        report = urlparse(found["Report a problem"])
        assert f"{report.scheme}://{report.netloc}{report.path}" == f"{repository}/issues/new"
        assert dict(parse_qsl(report.query))["entry"] == entry.source.path


def test_without_a_repository_no_page_offers_edit_or_report_links(tmp_path):
    project = small_project(tmp_path / "project")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    repository = _repository(project)
    config.write_text(re.sub(r"^\s*repository:.*\n", "", text, flags=re.M), encoding="utf-8")
    assert _repository(project) == ""
    site = tmp_path / "site"
    result = mkdocs_build(project, site)
    assert result.returncode == 0, result.stderr
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        assert _footer_links(page) == {}, page
        assert repository not in page.read_text(encoding="utf-8"), page


def test_the_repository_comes_from_extra_or_else_repo_url():
    from types import SimpleNamespace

    import mkdocs_hook

    def config(extra: dict[str, str], repo_url: str | None) -> SimpleNamespace:
        return SimpleNamespace(extra=extra, repo_url=repo_url)

    assert mkdocs_hook._repository(config({"repository": "https://a.example/x"}, None)) == (
        "https://a.example/x"
    )
    assert mkdocs_hook._repository(config({}, "https://b.example/y")) == "https://b.example/y"
    assert mkdocs_hook._repository(config({}, None)) == ""


# ---------------------------------------------------------------------------------------------
# Words of the workshop stay out of the pages

INTERNAL_WORDS = (
    "seed page",
    "seed document",
    "fixture",
    "golden",
    "kbsite",
    "pydantic",
    "jinja",
    "hostile",
    "kb_min",
    "research/sources.md",
    "research/studies.md",
    "helper",
    "TODO",
    "FIXME",
    "lorem ipsum",
)
"""Words that belong to the people and tools building the site, not to its readers."""


def _visible_text(page: Path) -> str:
    root = lxml.html.fromstring(page.read_bytes())
    for element in root.xpath("//script | //style | //comment() | //head"):
        element.drop_tree()
    return " ".join(root.text_content().split())


def test_no_page_speaks_in_internal_words(built_site):
    found = []
    for page in sorted(built_site.rglob("*.html")):
        where = page.relative_to(built_site).as_posix()
        text = _visible_text(page)
        for word in INTERNAL_WORDS:
            for match in re.finditer(rf"\b{re.escape(word)}", text, re.IGNORECASE):
                found.append(f"{where}: …{text[max(0, match.start() - 60) : match.end() + 60]}…")
    assert found == []
