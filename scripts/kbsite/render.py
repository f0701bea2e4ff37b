"""Rendering: the link graph in, Markdown pages out (a dict of path to text). Pure."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from kbsite import compare_view, confidence, diagram, gapmap, links, ratings, vocabulary
from kbsite.changelog import Changelog, type_noun
from kbsite.cite import STYLES, coins, export_bibtex, export_ris, format_reference
from kbsite.errors import Issue, KBError
from kbsite.export_csv import COLUMNS
from kbsite.graph import Graph, principle_order
from kbsite.guide_view import cases_words, guide_form, guide_outline, guide_script_json
from kbsite.guides import GuideTable, build_tables
from kbsite.history import History
from kbsite.markdown import markdown_filters, md_inline, md_url, meta_text, script_json
from kbsite.model import Citation, Entry, Finding, Principle
from kbsite.registry import ENTRY_TYPES
from kbsite.validation import slots

TEMPLATES = Path(__file__).parent / "templates"
HAND_RENDERED = ("principle", "benefit", "limitation", "citation", "question", "guide", "study")
"""Entry types whose pages render_site makes with their own context; others are generic."""
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
    fragments: dict[str, str]
    """Sanitised HTML of each Markdown field, by the token that stands for it in the pages."""


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
    env.filters.update(markdown_filters())
    vocabularies = {
        "study_label": vocabulary.STUDY_TYPES,
        "link_label": vocabulary.LINK_KINDS,
        "basis_label": vocabulary.EVIDENCE_BASES,
        "kind_label": vocabulary.LIMITATION_KINDS,
        "role_label": vocabulary.CITATION_ROLES,
        "relation_label": vocabulary.RELATIONS,
        "stage_label": vocabulary.PROJECT_STAGES,
        "deployment_label": vocabulary.DEPLOYMENT_MODES,
        "learning_label": vocabulary.LEARNING_MODES,
        "study_design_label": vocabulary.STUDY_DESIGNS,
        "study_kind_label": vocabulary.STUDY_KINDS,
        "gap_kind_label": vocabulary.GAP_KINDS,
        "tag_label": vocabulary.TAGS,
    }
    labels: dict[str, Callable[[str], str]] = {
        name: choice.label for name, choice in vocabularies.items()
    }
    labels["type_label"] = lambda value: (
        "Open question" if value == "question" else value.capitalize()
    )
    env.filters.update(labels)
    env.globals.update(labels, entry_type=links.type_of, search_terms=search_terms)
    return env


def search_terms(entry: Principle | Finding) -> tuple[str, ...]:
    """What the search should find an entry by beyond its text: its aliases, its topics."""
    topics = (vocabulary.TAGS.label(tag) for tag in entry.tags)
    return tuple(dict.fromkeys((*entry.aliases, *topics)))


class PageContext:
    """Helpers bound to the page being rendered, so templates link relative to it."""

    def __init__(self, page: str, graph: Graph) -> None:
        self.page = page
        self.graph = graph

    def link(self, target: Entry | str) -> str:
        """Relative link to an entry or to a docs path."""
        path = target if isinstance(target, str) else links.page_path(target)
        return md_url(links.relative(self.page, path))

    def link_to_id(self, entry_id: str) -> str:
        """A Markdown link to any entry by id, labelled with its title."""
        return self.entry(self.graph.by_id[entry_id])

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


def render_site(
    graph: Graph,
    *,
    repo_url: str = "",
    history: History | None = None,
    changelog: Changelog | None = None,
    evidence: ratings.Evidence | None = None,
    guide_tables: Mapping[str, GuideTable] | None = None,
) -> RenderedSite:
    """Render every page from the graph.

    repo_url, history and changelog add edit links, dates and the changelog's entries;
    evidence and guide_tables, when the caller has computed them already, are used as they are.
    """
    history = history or History()
    env = make_environment()
    kb = graph.kb
    principles = tuple(sorted(kb.principles, key=principle_order))
    pages: dict[str, str] = {}
    fragments: dict[str, str] = {}
    evidence = evidence or kb.evidence

    def render(template: str, page: str, **context: Any) -> None:
        try:
            pages[page] = _render(template, page, **context)
        except MissingEntryError as error:
            raise KBError([error.issue(template)]) from None

    def _render(template: str, page: str, **context: Any) -> str:
        return env.get_template(template).render(
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
            fragments=fragments,
            evidence=evidence,
            confidence_page=links.CONFIDENCE_PAGE,
            compare_page=links.COMPARE_PAGE,
            gap_map_page=links.GAP_MAP_PAGE,
            level_meaning=confidence.LEVEL_MEANINGS,
            **context,
        )

    for principle in principles:
        page = links.page_path(principle)
        render(
            "principle.md.j2",
            page,
            principle=principle,
            relationship_map=diagram.findings_map(
                graph,
                evidence,
                (*graph.benefits_of(principle.id), *graph.limitations_of(principle.id)),
                page,
                map_id=f"map-{principle.id}",
                subject=principle.label,
            ),
        )
    for finding in kb.findings:
        render("finding.md.j2", links.page_path(finding), finding=finding)
    for study in kb.studies:
        render("study.md.j2", links.page_path(study), study=study)
    render("studies_index.md.j2", links.index_path("study"))
    render("tensions.md.j2", links.TENSIONS_PAGE)
    comparison = compare_view.compare_data(graph, evidence, links.COMPARE_PAGE)
    render(
        "compare.md.j2",
        links.COMPARE_PAGE,
        form=compare_view.compare_form(comparison, compare_view.presets(graph, evidence)),
        data=script_json(comparison),
        studies=compare_view.studies_in_order(graph),
        groups=compare_view.finding_groups(graph),
        study_links=functools.partial(compare_view.study_links, evidence=evidence),
        study_name=functools.partial(diagram.study_name, graph=graph),
    )
    render("data.md.j2", links.DATA_PAGE, csv_columns=COLUMNS)
    render("confidence.md.j2", links.CONFIDENCE_PAGE, **confidence.rules_page_context())
    for citation in kb.citations:
        render(
            "citation.md.j2",
            links.page_path(citation),
            citation=citation,
            bibtex=export_bibtex([citation]),
            ris=export_ris([citation]),
            formatted={
                label: format_reference(citation, style, html=True)
                for style, label in STYLES.items()
            },
            coins=coins(citation),
        )
    tables = guide_tables if guide_tables is not None else build_tables(kb, evidence.ratings)
    for guide in kb.guides:
        table = tables[guide.id]
        render(
            "guide.md.j2",
            links.page_path(guide),
            guide=guide,
            form=guide_form(guide),
            data=guide_script_json(table, graph, evidence),
            outline=guide_outline(table, graph, evidence),
            cases=cases_words(guide),
            combinations=table.combination_count,
            table_path=links.guide_table_path(guide),
        )
    # Entry types without a page of their own design get the generic page of their template:
    # adding an entry type is a registry row, a model and (optionally) a template.
    for entry_type in ENTRY_TYPES:
        if entry_type.name in HAND_RENDERED or entry_type.template is None:
            continue
        fields = tuple(slots(entry_type.model).items())
        for entry in kb.of_type(entry_type.name):
            render(
                entry_type.template,
                links.page_path(entry),
                entry=entry,
                entry_type=entry_type,
                fields=fields,
            )
    render("guides_index.md.j2", links.index_path("guide"))
    render(
        "changelog.md.j2",
        links.CHANGELOG_PAGE,
        changelog=changelog or Changelog(),
        level_symbols=confidence.LEVEL_SYMBOLS,
        type_noun=type_noun,
    )
    home = PageContext(links.HOME_PAGE, graph)
    known: dict[str, Entry] = {e.id: e for e in kb.all_entries()}
    render(
        "home.md.j2",
        links.HOME_PAGE,
        link_to=functools.partial(link_required, home, known),
        featured=functools.partial(featured, known),
        samples=functools.partial(samples, known),
        count_word=count_word,
    )
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
    render(
        "citations_index.md.j2",
        links.index_path("citation"),
        citations=tuple(sorted(kb.citations, key=citation_order)),
    )
    gap_map = gapmap.build_map(graph, evidence)
    map_data = gapmap.map_data(gap_map, graph, evidence, links.GAP_MAP_PAGE)
    render(
        "gap_map.md.j2",
        links.GAP_MAP_PAGE,
        gap_map=gap_map,
        sides=gapmap.SIDES,
        form=gapmap.filter_form(map_data["filters"]),
        drawings=gapmap.drawings(gap_map, links.GAP_MAP_PAGE),
        key=gapmap.key_html(gapmap.designs_in_use(map_data)),
        data=script_json(map_data),
        level_symbols=confidence.LEVEL_SYMBOLS,
        study_count=len(map_data["studies"]),
    )
    render("gaps.md.j2", links.GAPS_PAGE, suggested_designs=confidence.SUGGESTED_DESIGNS)
    render("cross_cutting.md.j2", links.CROSS_CUTTING_PAGE)
    render("tags.md.j2", links.TAGS_PAGE, tags=tag_sections(graph))

    citations_in_order: tuple[Citation, ...] = tuple(sorted(kb.citations, key=citation_order))

    def children(
        entries: Sequence[Entry], title: Callable[[Any], str]
    ) -> tuple[tuple[str, str], ...]:
        if len(entries) > NAV_CHILD_LIMIT:
            return ()
        return tuple((meta_text(title(e)), links.page_path(e)) for e in entries)

    nav = (
        NavSection("Decide", links.index_path("guide"), children(kb.guides, lambda g: g.title)),
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
            links.GAP_MAP_PAGE,
            (
                ("Cross-cutting findings", links.CROSS_CUTTING_PAGE),
                ("Evidence gaps", links.GAPS_PAGE),
                ("Studies", links.index_path("study")),
                ("Compare studies", links.COMPARE_PAGE),
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
    return RenderedSite(
        pages=dict(sorted(pages.items())), nav=nav, fragments=dict(sorted(fragments.items()))
    )


def report_url(repo_url: str, entry: Entry) -> str:
    """A new-issue address on GitHub, prefilled to report a problem in one entry."""
    query = urlencode(
        {
            "template": "report-error.yml",
            "title": f"Problem in {entry.source.path}",
            "entry": entry.source.path,
        }
    )
    return f"{repo_url}/issues/new?{query}"


class MissingEntryError(Exception):
    """A template names an entry the knowledge base does not have."""

    def __init__(self, entry_id: str) -> None:
        super().__init__(entry_id)
        self.entry_id = entry_id

    def issue(self, template: str) -> Issue:
        """The problem, at the line of the template that names the id."""
        source = (TEMPLATES / template).read_text(encoding="utf-8").splitlines()
        line = next((n for n, text in enumerate(source, 1) if self.entry_id in text), 0)
        shown = f"scripts/kbsite/templates/{template}"
        return Issue(
            shown,
            line,
            0,
            f"expected the id of an existing entry, found `{self.entry_id}`",
            "the template links to an entry that was renamed or removed; update the template",
        )


def link_required(ctx: PageContext, entries: Mapping[str, Entry], entry_id: str, text: str) -> str:
    """A link to an entry with the given text; a missing entry is a build error."""
    if entry_id not in entries:
        raise MissingEntryError(entry_id)
    return f"[{md_inline(text)}]({ctx.link(entries[entry_id])})"


def featured(entries: Mapping[str, Entry], *entry_ids: str) -> bool:
    """Whether a passage about these entries belongs on the page.

    True when the knowledge base holds all of them; False when it holds none (a different
    knowledge base, such as a test fixture); a build error when only some are missing.
    """
    missing = [entry_id for entry_id in entry_ids if entry_id not in entries]
    if missing and len(missing) < len(entry_ids):
        raise MissingEntryError(missing[0])
    return not missing


def samples(entries: Mapping[str, Entry], citation_id: str, *, methods: bool = True) -> str:
    """A study's samples in words, e.g. '150 professionals (survey) and 20 practitioners'."""
    citation = entries.get(citation_id)
    if not isinstance(citation, Citation):
        raise MissingEntryError(citation_id)
    parts = [
        f"{s.size} {s.unit}"
        + (f" ({vocabulary.STUDY_TYPES.label(s.method).lower()})" if methods else "")
        for s in (citation.study.samples if citation.study else ())
    ]
    return md_inline(" and ".join(parts)) if parts else ""


NUMBER_WORDS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def count_word(count: int) -> str:
    """A count in words up to twelve, as prose writes it; digits above."""
    return NUMBER_WORDS[count] if 0 <= count < len(NUMBER_WORDS) else str(count)


TAG_GROUPS = (("principle", "Principles"), ("benefit", "Benefits"), ("limitation", "Limitations"))
"""The entry types a tag groups, in the order the tags page lists them."""


def tag_sections(
    graph: Graph,
) -> tuple[tuple[str, str, tuple[tuple[str, tuple[Principle | Finding, ...]], ...]], ...]:
    """Each tag in use with its label and its entries by type, in the order of the labels."""
    sections = []
    for tag, entries in graph.tags.items():
        groups = tuple(
            (heading, tuple(sorted((e for e in entries if e.type == name), key=_tag_entry_order)))
            for name, heading in TAG_GROUPS
            if any(e.type == name for e in entries)
        )
        sections.append((tag, vocabulary.TAGS.label(tag), groups))
    return tuple(sorted(sections, key=lambda section: (section[1].lower(), section[0])))


def _tag_entry_order(entry: Principle | Finding) -> tuple[int, str, str]:
    """Principles in their source's order, findings by title."""
    if isinstance(entry, Principle):
        number, title = principle_order(entry)
        return (number, title, entry.id)
    return (0, entry.title.lower(), entry.id)


def citation_order(citation: Citation) -> tuple[int, str]:
    """Primary studies first, then the framework, then related work; by id within each."""
    rank = vocabulary.CITATION_ROLES.names.index(citation.role)
    return (rank, citation.id)
