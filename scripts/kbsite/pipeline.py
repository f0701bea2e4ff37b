"""The one pipeline: load, check, link, render, export. Only `load` reads; nothing here writes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kbsite import links
from kbsite.changelog import build_changelog
from kbsite.cite import csl_item, export_bibtex, export_ris
from kbsite.errors import KBError
from kbsite.export_csv import export_findings_csv
from kbsite.export_json import SCHEMA_FILE, export_guide_table, export_json, export_schema
from kbsite.graph import Graph, build_graph
from kbsite.guides import build_tables
from kbsite.history import History, read_history
from kbsite.integrity import check_integrity
from kbsite.load import load_kb
from kbsite.model import KnowledgeBase
from kbsite.render import NavSection, render_site

JSON_EXPORT_PATH = "api/kb.json"
JSON_EXPORT_SCHEMA_PATH = f"api/{SCHEMA_FILE}"
BIBLIOGRAPHY_PATH = "references.bib"
FINDINGS_CSV_PATH = "api/findings.csv"


@dataclass(frozen=True)
class Site:
    """Everything the pipeline produces, in memory, keyed by path relative to the docs folder."""

    pages: dict[str, str]
    """Generated Markdown pages."""
    assets: dict[str, str]
    """Other generated files (JSON, BibTeX), copied to the site as they are."""
    nav: tuple[NavSection, ...]
    graph: Graph
    fragments: dict[str, str]
    """Sanitised HTML of the entries' Markdown fields, by the token that stands for each in
    `pages`; the MkDocs hook swaps it in after Python-Markdown ran (`markdown.fill_fragments`)."""
    notes: tuple[str, ...] = ()
    """Things the build output should say once, such as why pages carry no dates."""

    @property
    def outputs(self) -> dict[str, str]:
        """Pages and assets together."""
        return {**self.pages, **self.assets}


def citation_exports(graph: Graph) -> dict[str, str]:
    """The whole bibliography, one file per citation, and each page's own references."""
    kb = graph.kb
    exports = {
        BIBLIOGRAPHY_PATH: export_bibtex(kb.citations),
        "references.ris": export_ris(kb.citations),
        "references.json": json.dumps(
            [csl_item(c) for c in kb.citations], indent=2, ensure_ascii=False
        )
        + "\n",
    }
    for citation in kb.citations:
        exports[f"citations/{citation.id}.bib"] = export_bibtex([citation])
        exports[f"citations/{citation.id}.ris"] = export_ris([citation])
    for entry in kb.principles_and_findings:
        path = links.page_path(entry).removesuffix(".md") + ".bib"
        exports[path] = export_bibtex(graph.citations_of(entry))
    return exports


def check_kb(kb_dir: Path, root: Path | None = None) -> KnowledgeBase:
    """Load and check the knowledge base; raise KBError with every problem found."""
    result = load_kb(kb_dir, root)
    issues = list(result.issues)
    issues += check_integrity(result.kb, result.file_ids, complete=not issues)
    if issues:
        raise KBError(issues)
    return result.kb


def build_site(
    kb_dir: Path, root: Path | None = None, *, repo_url: str = "", with_history: bool = True
) -> Site:
    """Run the whole pipeline on a kb/ folder.

    repo_url (a GitHub repository address) adds edit and report links to entry pages;
    with_history adds last-changed dates and the changelog from git, when kb/ is in a checkout
    (reading git is loading: the changelog is computed from what it read).
    """
    kb = check_kb(kb_dir, root)
    history = read_history(kb_dir, _shown(kb_dir, root)) if with_history else History()
    graph = build_graph(kb)
    changelog = build_changelog(history, kb)
    evidence = kb.evidence
    tables = build_tables(kb, evidence.ratings)
    rendered = render_site(
        graph,
        repo_url=repo_url.rstrip("/"),
        history=history,
        changelog=changelog,
        evidence=evidence,
        guide_tables=tables,
    )
    assets = {
        JSON_EXPORT_PATH: export_json(graph, history, changelog),
        JSON_EXPORT_SCHEMA_PATH: export_schema(),
        FINDINGS_CSV_PATH: export_findings_csv(kb, evidence),
        **citation_exports(graph),
        **{links.guide_table_path(g): export_guide_table(tables[g.id]) for g in kb.guides},
    }
    notes = (history.unavailable,) if history.unavailable else ()
    return Site(
        pages=rendered.pages,
        assets=assets,
        nav=rendered.nav,
        graph=graph,
        fragments=rendered.fragments,
        notes=notes,
    )


def _shown(kb_dir: Path, root: Path | None) -> str:
    """kb_dir as issues and source paths show it (relative to root, as the loader does)."""
    root = root or kb_dir.parent
    try:
        return kb_dir.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return kb_dir.as_posix()
