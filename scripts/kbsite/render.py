"""Rendering: the link graph in, Markdown pages out (a dict of path to text). Pure."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from kbsite import confidence, links, ratings, vocabulary
from kbsite.cite import STYLES, export_bibtex, export_ris, format_reference
from kbsite.export_csv import COLUMNS
from kbsite.graph import Graph, principle_order
from kbsite.guide_view import guide_form, guide_script_json
from kbsite.history import History
from kbsite.markdown import (
    code_block,
    md_block,
    md_inline,
    md_url,
    meta_text,
    yaml_string,
)
from kbsite.model import Citation, Entry, Finding, Guide, Outcome, Principle, Rule

TEMPLATES = Path(__file__).parent / "templates"
NAV_CHILD_LIMIT = 60
"""Sections with more entries list only their index page in the navigation: every page
carries its section's navigation, so long sections would make the build quadratic."""


@dataclass(frozen=True)
class NavSection:
    """A navigation section: its index page and child pages, in display order."""

    title: str
    index: str
    children: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RenderedSite:
    """Every generated Markdown page, and the navigation that lists them."""

    pages: dict[str, str]
    nav: tuple[NavSection, ...]


@functools.cache
def make_environment() -> Environment:
    """Jinja settings for whitespace-sensitive Markdown output; unknown names fail loudly.

    Cached: compiling the templates is a tenth of a second; Jinja still reloads a template
    whose file changed, so `mkdocs serve` picks up template edits.
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,  # noqa: S701 - output is Markdown; entry text is escaped by filters
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        md=md_inline,
        cell=md_inline,  # table cells: md_inline already escapes pipes
        md_block=md_block,
        url=md_url,
        yaml=yaml_string,
        meta=meta_text,
        code=code_block,
    )
    vocabularies = {
        "study_label": vocabulary.STUDY_TYPES,
        "link_label": vocabulary.LINK_KINDS,
        "kind_label": vocabulary.LIMITATION_KINDS,
        "role_label": vocabulary.CITATION_ROLES,
        "relation_label": vocabulary.RELATIONS,
        "stage_label": vocabulary.PROJECT_STAGES,
        "deployment_label": vocabulary.DEPLOYMENT_MODES,
        "learning_label": vocabulary.LEARNING_MODES,
        "study_design_label": vocabulary.STUDY_DESIGNS,
        "study_kind_label": vocabulary.STUDY_KINDS,
        "gap_kind_label": vocabulary.GAP_KINDS,
    }
    labels: dict[str, Callable[[str], str]] = {
        name: choice.label for name, choice in vocabularies.items()
    }
    labels["type_label"] = lambda value: (
        "Open question" if value == "question" else value.capitalize()
    )
    env.filters.update(labels)
    env.globals.update(labels, entry_type=links.type_of)
    return env


class PageContext:
    """Helpers bound to the page being rendered, so templates link relative to it."""

    def __init__(self, page: str, graph: Graph) -> None:
        self.page = page
        self.graph = graph

    def link(self, target: Entry | str) -> str:
        """Relative link to an entry or to a docs path."""
        path = target if isinstance(target, str) else links.page_path(target)
        return md_url(links.relative(self.page, path))

    def cite(self, citation_id: str) -> str:
        """A Markdown link to a citation, labelled 'Author et al. (year)'."""
        citation = self.graph.citations[citation_id]
        return f"[{md_inline(citation.short_label)}]({self.link(citation)})"

    def entry(self, entry: Entry) -> str:
        """A Markdown link to an entry, labelled with its title."""
        title = entry.label if isinstance(entry, Principle) else entry.title
        return f"[{md_inline(title)}]({self.link(entry)})"

    def principle(self, principle_id: str) -> str:
        """A Markdown link to a principle by id."""
        return self.entry(self.graph.principles[principle_id])


def source_count(findings: tuple[Finding, ...]) -> int:
    """How many distinct sources support a set of findings."""
    return len({item.citation for f in findings for item in f.evidence})


def link_strength(finding: Finding) -> str:
    """`stated` if any source states the link to its principles, else `inferred`."""
    return "stated" if any(e.link == "stated" for e in finding.evidence) else "inferred"


def render_site(graph: Graph, *, repo_url: str = "", history: History | None = None
                ) -> RenderedSite:
    """Render every page from the graph; repo_url and history add edit links and dates."""
    history = history or History()
    env = make_environment()
    kb = graph.kb
    principles = tuple(sorted(kb.principles, key=principle_order))
    pages: dict[str, str] = {}
    evidence = ratings.evaluate(kb)

    def render(template: str, page: str, **context: Any) -> None:
        pages[page] = env.get_template(template).render(
            page=page,
            ctx=PageContext(page, graph),
            graph=graph,
            kb=kb,
            principles=principles,
            repo_url=repo_url,
            history=history,
            report_url=functools.partial(report_url, repo_url),
            source_count=source_count,
            link_strength=link_strength,
            evidence=evidence,
            confidence_page=links.CONFIDENCE_PAGE,
            level_meaning=confidence.LEVEL_MEANINGS,
            **context,
        )

    for principle in principles:
        render("principle.md.j2", links.page_path(principle), principle=principle)
    for finding in kb.findings:
        render("finding.md.j2", links.page_path(finding), finding=finding)
    for study in kb.studies:
        render("study.md.j2", links.page_path(study), study=study)
    render("studies_index.md.j2", links.index_path("study"))
    render("tensions.md.j2", links.TENSIONS_PAGE)
    render("data.md.j2", links.DATA_PAGE, csv_columns=COLUMNS)
    render("confidence.md.j2", links.CONFIDENCE_PAGE, **confidence.rules_page_context())
    for citation in kb.citations:
        render(
            "citation.md.j2",
            links.page_path(citation),
            citation=citation,
            bibtex=export_bibtex([citation]),
            ris=export_ris([citation]),
            formatted={label: format_reference(citation, style) for style, label in STYLES.items()},
            highwire=highwire_tags(citation),
        )
    entries = graph.entries
    for guide in kb.guides:
        page = links.page_path(guide)
        render(
            "guide.md.j2",
            page,
            guide=guide,
            entries=entries,
            form=guide_form(guide),
            data=guide_script_json(guide, graph),
            outcome_basis=functools.partial(outcome_basis, PageContext(page, graph), entries),
            conditions_text=functools.partial(conditions_text, guide),
            level_label={level.id: level.label for level in guide.levels},
        )
    render("guides_index.md.j2", links.index_path("guide"))
    by_source = {e.source.path: e for e in (*kb.principles, *kb.findings, *kb.citations,
                                             *kb.guides)}
    render("changelog.md.j2", links.CHANGELOG_PAGE, by_source=by_source)
    home = PageContext(links.HOME_PAGE, graph)
    render("home.md.j2", links.HOME_PAGE, link_to=functools.partial(link_if_present, home, entries))
    render("principles_index.md.j2", links.index_path("principle"))
    render(
        "findings_index.md.j2",
        links.index_path("benefit"),
        type_name="benefit",
        findings=kb.benefits,
    )
    render(
        "findings_index.md.j2",
        links.index_path("limitation"),
        type_name="limitation",
        findings=kb.limitations,
    )
    render("citations_index.md.j2", links.index_path("citation"),
           citations=tuple(sorted(kb.citations, key=citation_order)))
    render("matrix.md.j2", links.MATRIX_PAGE)
    render("gaps.md.j2", links.GAPS_PAGE, suggested_designs=confidence.SUGGESTED_DESIGNS)
    render("cross_cutting.md.j2", links.CROSS_CUTTING_PAGE)
    render("map.md.j2", links.MAP_PAGE)

    citations_in_order: tuple[Citation, ...] = tuple(sorted(kb.citations, key=citation_order))

    def children(entries: Sequence[Entry], title: Callable[[Any], str]
                 ) -> tuple[tuple[str, str], ...]:
        if len(entries) > NAV_CHILD_LIMIT:
            return ()
        return tuple((meta_text(title(e)), links.page_path(e)) for e in entries)

    nav = (
        NavSection("Decide", links.index_path("guide"),
                   children(kb.guides, lambda g: g.title)),
        NavSection(
            "Principles", links.index_path("principle"), children(principles, lambda p: p.label)
        ),
        NavSection(
            "Benefits", links.index_path("benefit"), children(kb.benefits, lambda f: f.title)
        ),
        NavSection(
            "Limitations",
            links.index_path("limitation"),
            children(kb.limitations, lambda f: f.title),
        ),
        NavSection(
            "Evidence",
            links.MATRIX_PAGE,
            (
                ("Cross-cutting findings", links.CROSS_CUTTING_PAGE),
                ("Evidence gaps", links.GAPS_PAGE),
                ("Studies", links.index_path("study")),
                ("Tensions", links.TENSIONS_PAGE),
                ("How confidence is rated", links.CONFIDENCE_PAGE),
                ("Data downloads", links.DATA_PAGE),
            ),
        ),
        NavSection(
            "Citations",
            links.index_path("citation"),
            children(citations_in_order, lambda c: c.short_label),
        ),
    )
    return RenderedSite(pages=dict(sorted(pages.items())), nav=nav)


def report_url(repo_url: str, entry: Entry) -> str:
    """A new-issue address on GitHub, prefilled to report a problem in one entry."""
    query = urlencode({"template": "report-error.yml",
                       "title": f"Problem in {entry.source.path}",
                       "entry": entry.source.path})
    return f"{repo_url}/issues/new?{query}"


def link_if_present(ctx: PageContext, entries: Mapping[str, Entry], entry_id: str,
                    text: str) -> str:
    """A link to an entry with the given text, or the text alone when the entry is absent."""
    if entry_id in entries:
        return f"[{md_inline(text)}]({ctx.link(entries[entry_id])})"
    return md_inline(text)


def outcome_basis(ctx: PageContext, entries: Mapping[str, Entry], outcome: Outcome) -> str:
    """The findings (as links) and any editors' judgement an outcome rests on, as Markdown."""
    parts = [ctx.entry(entries[finding]) for finding in outcome.because]
    if outcome.judgement:
        parts.append(f"*Editors' judgement:* {md_inline(outcome.judgement)}")
    return "; ".join(parts)


def conditions_text(guide: Guide, rule: Rule) -> str:
    """A rule's conditions in words: each question followed by the options that satisfy it."""
    questions = {q.id: q for q in guide.questions}
    return "; ".join(
        md_inline(questions[c.question].text) + " "
        + " or ".join(md_inline(o.label) for o in questions[c.question].options
                      if o.id in c.options)
        for c in rule.when
    )


def highwire_tags(citation: Citation) -> list[tuple[str, str]]:
    """Highwire Press `citation_*` meta tags, which Zotero and Google Scholar read."""
    tags = [("citation_title", citation.title)]
    tags += [("citation_author", a.sort_name) for a in citation.authors]
    if citation.year:
        tags.append(("citation_publication_date", str(citation.year)))
    if citation.journal:
        tags.append(("citation_journal_title", citation.journal))
    if citation.booktitle:
        tags.append(("citation_conference_title", citation.booktitle))
    if citation.school:
        tags.append(("citation_dissertation_institution", citation.school))
    if citation.pages:
        first, _, last = citation.pages.partition("-")
        tags.append(("citation_firstpage", first))
        if last:
            tags.append(("citation_lastpage", last))
    for name, value in (("citation_volume", citation.volume), ("citation_issue", citation.number),
                        ("citation_publisher", citation.publisher), ("citation_doi", citation.doi),
                        ("citation_isbn", citation.isbn), ("citation_issn", citation.issn),
                        ("citation_arxiv_id", citation.arxiv_id)):
        if value:
            tags.append((name, value))
    landing = citation.url or (f"https://doi.org/{citation.doi}" if citation.doi else "")
    if landing:
        tags.append(("citation_abstract_html_url", landing))
    return tags


def citation_order(citation: Citation) -> tuple[int, str]:
    """Primary studies first, then the framework, then related work; by id within each."""
    rank = vocabulary.CITATION_ROLES.names.index(citation.role)
    return (rank, citation.id)
