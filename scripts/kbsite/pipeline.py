"""The one pipeline: load, check, link, render, export. Only `load` reads; nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kbsite import links
from kbsite.diagram import relationship_svg
from kbsite.errors import KBError
from kbsite.export_json import export_json
from kbsite.graph import Graph, build_graph
from kbsite.integrity import check_integrity
from kbsite.load import load_kb
from kbsite.model import KnowledgeBase
from kbsite.render import NavSection, render_site

JSON_EXPORT_PATH = "api/kb.json"


@dataclass(frozen=True)
class Site:
    """Everything the pipeline produces, in memory, keyed by path relative to the docs folder."""

    pages: dict[str, str]
    """Generated Markdown pages."""
    assets: dict[str, str]
    """Other generated files (JSON, BibTeX), copied to the site as they are."""
    nav: tuple[NavSection, ...]
    graph: Graph

    @property
    def outputs(self) -> dict[str, str]:
        """Pages and assets together."""
        return {**self.pages, **self.assets}


def check_kb(kb_dir: Path, root: Path | None = None) -> KnowledgeBase:
    """Load and check the knowledge base; raise KBError with every problem found."""
    result = load_kb(kb_dir, root)
    issues = list(result.issues)
    issues += check_integrity(result.kb, result.file_ids, complete=not issues)
    if issues:
        raise KBError(issues)
    return result.kb


def build_site(kb_dir: Path, root: Path | None = None) -> Site:
    """Run the whole pipeline on a kb/ folder."""
    kb = check_kb(kb_dir, root)
    graph = build_graph(kb)
    rendered = render_site(graph)
    assets = {JSON_EXPORT_PATH: export_json(graph), links.MAP_IMAGE: relationship_svg(graph)}
    return Site(pages=rendered.pages, assets=assets, nav=rendered.nav, graph=graph)
