"""The evidence and gap map: principles by outcome groups, benefits and limitations apart. Pure.

Each cell holds the findings of one row (a principle, or "MLOps as a whole" for the findings
that name none) that speak of one outcome group, benefits and limitations in cells of their
own. A cell's mark is drawn at build time as SVG: its size grows with the number of
independent studies (a study counts once however many reports or evidence items it has),
its shape and its label give the best confidence among its findings, and it is divided by
the studies' designs. An empty cell says so. The page script (`docs/javascripts/gap-map.js`)
redraws the marks from the data embedded in the page when the reader filters the evidence;
`draw_mark` and the script's `drawMark` draw the same marks, and without JavaScript the page
keeps the build's map and a table of every cell.

Entry text is escaped for SVG here (`diagram.svg_text`, `svg_attribute`) and for JSON by
`markdown.script_json`; the script writes text into the page with DOM methods only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from kbsite import links, vocabulary
from kbsite.confidence import LEVEL_SYMBOLS, LEVELS, Level
from kbsite.diagram import study_name, svg_attribute, svg_text, wrap
from kbsite.graph import Graph, principle_order
from kbsite.model import Finding, Outcome
from kbsite.ratings import Evidence

WHOLE = "mlops"
"""Row key of the findings about MLOps as a whole (no principle named)."""
WHOLE_LABEL = "MLOps as a whole"
SIDES = ("benefit", "limitation")
SIDE_HEADINGS = {"benefit": "Benefits", "limitation": "Limits"}
"""Column sub-headings (short: a map column is narrow); names and the key say limitations."""

FONT_SIZE = 13
LINE_HEIGHT = 16
LABEL_SIZE = 12
CHAR_WIDTH = 0.6 * FONT_SIZE
R_MIN = 7.0
R_STEP = 4.5
R_MAX = 16.0


@dataclass(frozen=True)
class Row:
    """One row of the map: a principle, or MLOps as a whole."""

    key: str
    label: str
    page: str


@dataclass(frozen=True)
class Cell:
    """What one cell of the map holds."""

    row: Row
    outcome: Outcome
    side: str
    findings: tuple[Finding, ...]
    studies: tuple[str, ...]
    """Ids of the independent studies behind the cell's findings, sorted."""
    level: Level | None
    """The best confidence among the cell's findings; None for an empty cell."""
    designs: tuple[tuple[str, int], ...]
    """Studies per design, in the vocabulary's order, designs with none left out."""

    @property
    def key(self) -> str:
        """The cell's id in the page: `row--outcome--side`."""
        return cell_key(self.row.key, self.outcome.id, self.side)

    @property
    def name(self) -> str:
        """The accessible name, e.g. 'P4 Versioning × data benefits: 2 studies, low confidence'."""
        return cell_name(
            self.row.label, self.outcome.title, self.side, len(self.studies), self.level
        )


def cell_key(row: str, outcome: str, side: str) -> str:
    """A cell's id in the page (ids are kebab-case, so `--` cannot occur inside one)."""
    return f"{row}--{outcome}--{side}"


def cell_name(row: str, outcome: str, side: str, studies: int, level: Level | None) -> str:
    """How a cell is announced; the page script words it the same way."""
    where = f"{row} × {outcome.lower()} {side}s"
    if not studies or level is None:
        return f"{where}: none, no study"
    noun = "study" if studies == 1 else "studies"
    return f"{where}: {studies} {noun}, {level.value} confidence"


@dataclass(frozen=True)
class GapMap:
    """The rows, the outcome groups and every cell, computed once for the page."""

    rows: tuple[Row, ...]
    outcomes: tuple[Outcome, ...]
    cells: dict[tuple[str, str, str], Cell]
    """By (row key, outcome id, side)."""

    def cell(self, row: str, outcome: str, side: str) -> Cell:
        """One cell."""
        return self.cells[(row, outcome, side)]


def rows_of(graph: Graph) -> tuple[Row, ...]:
    """The principles in their source's order, then MLOps as a whole."""
    rows = [
        Row(p.id, p.label, links.page_path(p))
        for p in sorted(graph.kb.principles, key=principle_order)
    ]
    rows.append(Row(WHOLE, WHOLE_LABEL, links.CROSS_CUTTING_PAGE))
    return tuple(rows)


def rows_of_finding(finding: Finding) -> tuple[str, ...]:
    """The rows a finding appears in: its principles, or MLOps as a whole."""
    return finding.principles or (WHOLE,)


def build_map(graph: Graph, evidence: Evidence) -> GapMap:
    """Every cell of the map, from the findings' principles and outcome groups."""
    kb = graph.kb
    rows = rows_of(graph)
    placed: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in sorted(kb.findings, key=lambda f: (f.title.lower(), f.id)):
        for row_key in rows_of_finding(finding):
            for outcome_id in finding.outcomes:
                placed.setdefault((row_key, outcome_id, finding.type), []).append(finding)
    design_order = vocabulary.STUDY_DESIGNS.names
    cells: dict[tuple[str, str, str], Cell] = {}
    for row in rows:
        for outcome in kb.outcomes:
            for side in SIDES:
                findings = tuple(placed.get((row.key, outcome.id, side), ()))
                studies = sorted({s.id for f in findings for s in evidence.studies_of(f)})
                designs: dict[str, int] = {}
                for study in studies:
                    design = evidence.studies[study].design
                    designs[design] = designs.get(design, 0) + 1
                levels = [evidence.ratings[f.id].level for f in findings]
                cells[(row.key, outcome.id, side)] = Cell(
                    row=row,
                    outcome=outcome,
                    side=side,
                    findings=findings,
                    studies=tuple(studies),
                    level=max(levels, key=lambda level: level.rank) if levels else None,
                    designs=tuple(
                        (d, designs[d])
                        for d in sorted(designs, key=lambda d: (design_order.index(d), d))
                    ),
                )
    return GapMap(rows, kb.outcomes, cells)


# ---------------------------------------------------------------------------------------------
# Marks


SHAPES = {
    Level.HIGH: "circle",
    Level.MODERATE: "square",
    Level.LOW: "diamond",
    Level.VERY_LOW: "triangle",
}
"""The shape of a mark by the best confidence in its cell; the key shows each."""


def radius(studies: int) -> float:
    """A mark's size: grows with the square root of the studies, up to R_MAX."""
    return min(R_MAX, R_MIN + R_STEP * math.sqrt(max(studies, 1) - 1))


def shape_path(shape: str, cx: float, cy: float, r: float) -> str:
    """An SVG path of the shape around a centre, of about the area of a circle of radius r."""
    if shape == "circle":
        return (
            f"M{cx - r:.1f} {cy:.1f}a{r:.1f} {r:.1f} 0 1 0 {2 * r:.1f} 0"
            f"a{r:.1f} {r:.1f} 0 1 0 {-2 * r:.1f} 0Z"
        )
    if shape == "square":
        h = r * 0.886
        return f"M{cx - h:.1f} {cy - h:.1f}h{2 * h:.1f}v{2 * h:.1f}h{-2 * h:.1f}Z"
    if shape == "diamond":
        h = r * 1.253
        return (
            f"M{cx:.1f} {cy - h:.1f}L{cx + h:.1f} {cy:.1f}"
            f"L{cx:.1f} {cy + h:.1f}L{cx - h:.1f} {cy:.1f}Z"
        )
    h = r * 1.2
    return (
        f"M{cx:.1f} {cy - h:.1f}L{cx + h * 0.866:.1f} {cy + h * 0.5:.1f}"
        f"L{cx - h * 0.866:.1f} {cy + h * 0.5:.1f}Z"
    )


def _wedge(cx: float, cy: float, r: float, start: float, end: float) -> str:
    """A pie wedge from angle start to end (fractions of a turn, clockwise from the top)."""
    if end - start >= 0.9999:
        return shape_path("circle", cx, cy, r)
    a0, a1 = (2 * math.pi * t for t in (start, end))
    x0, y0 = cx + r * math.sin(a0), cy - r * math.cos(a0)
    x1, y1 = cx + r * math.sin(a1), cy - r * math.cos(a1)
    large = 1 if end - start > 0.5 else 0
    return f"M{cx:.1f} {cy:.1f}L{x0:.1f} {y0:.1f}A{r:.1f} {r:.1f} 0 {large} 1 {x1:.1f} {y1:.1f}Z"


@dataclass(frozen=True)
class Place:
    """Where a mark goes: its centre, and where its label is written (and how anchored)."""

    cx: float
    cy: float
    lx: float
    ly: float
    anchor: str
    ex: float
    ey: float
    """Where an empty cell's "none" is written: the middle of the cell."""

    def attributes(self) -> str:
        """The place as data attributes, for the page script to redraw the mark in it."""
        return (
            f'data-cx="{self.cx:.1f}" data-cy="{self.cy:.1f}" data-lx="{self.lx:.1f}" '
            f'data-ly="{self.ly:.1f}" data-anchor="{self.anchor}" data-ex="{self.ex:.1f}" '
            f'data-ey="{self.ey:.1f}"'
        )


def draw_mark(
    key: str, at: Place, studies: int, level: Level | None, designs: Sequence[tuple[str, int]]
) -> str:
    """A cell's mark: the shape of its confidence, divided by design, and its label."""
    cx, cy = at.cx, at.cy
    if not studies or level is None:
        return (
            f'<text class="kb-gap__empty" x="{at.ex:.1f}" y="{at.ey:.1f}" '
            f'text-anchor="middle">none</text>'
        )
    r = radius(studies)
    shape = SHAPES[level]
    outline = shape_path(shape, cx, cy, r)
    parts = [
        f'<clipPath id="clip-{key}"><path d="{outline}"/></clipPath>',
        f'<g clip-path="url(#clip-{key})">',
    ]
    start = 0.0
    for design, count in designs:
        end = start + count / studies
        parts.append(
            f'<path class="kb-gap__seg kb-gap__seg--{design}" '
            f'd="{_wedge(cx, cy, r * 1.6, start, end)}"/>'
        )
        start = end
    parts.append("</g>")
    parts.append(f'<path class="kb-gap__outline" d="{outline}"/>')
    parts.append(
        f'<text class="kb-gap__label" x="{at.lx:.1f}" y="{at.ly:.1f}" '
        f'text-anchor="{at.anchor}">{studies} {LEVEL_SYMBOLS[level]}</text>'
    )
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# The drawing


@dataclass(frozen=True)
class Layout:
    """A drawing's sizes: one grid (wide), or one panel per outcome group (narrow)."""

    name: str
    label_width: float
    column_width: float
    row_height: float
    panels: bool

    def place(self, x: float, y: float) -> Place:
        """Where the mark of the cell at (x, y) goes.

        The label is below the mark in the grid, beside it in the panels (lower rows).
        """
        middle, ey = x + self.column_width / 2, y + self.row_height / 2 + 4
        if self.panels:
            cy = y + self.row_height / 2
            return Place(x + R_MAX + 8, cy, x + 2 * R_MAX + 14, cy + 4, "start", middle, ey)
        cy = y + R_MAX + 5
        return Place(middle, cy, middle, cy + R_MAX + 15, "middle", middle, ey)


LAYOUTS = (
    Layout("wide", 144, 64, 62, panels=False),
    Layout("narrow", 150, 96, 50, panels=True),
)
"""Wide: 144 + 16 columns of 64 = 1,168 px, the page's width at 1,280 px. Narrow: 342 px,
one panel per outcome group with the row and column headings repeated, for a 390 px phone."""


def _text_lines(lines: Iterable[str], x: float, y: float, cls: str, anchor: str = "start") -> str:
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{y + i * LINE_HEIGHT:.1f}">{svg_text(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text class="{cls}" text-anchor="{anchor}">{spans}</text>'


ROW_LINES = 3
"""Lines of a row label that fit a row; a longer label ends in an ellipsis (its link's
title, and every other place on the page, gives it whole)."""


def _at_most(lines: tuple[str, ...], count: int) -> tuple[str, ...]:
    if len(lines) <= count:
        return lines
    return (*lines[: count - 1], lines[count - 1].rstrip()[:-1] + "…")


def _row_labels(gap_map: GapMap, layout: Layout, top: float, page: str) -> list[str]:
    parts: list[str] = []
    for index, row in enumerate(gap_map.rows):
        y = top + index * layout.row_height
        lines = _at_most(wrap(row.label, layout.label_width - 8), ROW_LINES)
        first = y + layout.row_height / 2 - (len(lines) - 1) * LINE_HEIGHT / 2 + 4
        band = "kb-gap__band kb-gap__band--odd" if index % 2 else "kb-gap__band"
        parts.append(
            f'<rect class="{band}" x="0" y="{y:.1f}" width="100%" '
            f'height="{layout.row_height:.1f}"/>'
        )
        parts.append(
            f'<a class="kb-gap__row" href={svg_attribute(links.html_href(page, row.page))}>'
            f"<title>{svg_text(row.label)}</title>"
            + _text_lines(lines, 4, first, "kb-gap__rowlabel")
            + "</a>"
        )
    return parts


def _cells(
    gap_map: GapMap, layout: Layout, outcomes: Sequence[Outcome], left: float, top: float
) -> list[str]:
    parts: list[str] = []
    first = gap_map.outcomes.index(outcomes[0]) if outcomes else 0
    for index, row in enumerate(gap_map.rows):
        y = top + index * layout.row_height
        for o_index, outcome in enumerate(outcomes):
            for s_index, side in enumerate(SIDES):
                cell = gap_map.cell(row.key, outcome.id, side)
                x = left + (2 * o_index + s_index) * layout.column_width
                at = layout.place(x, y)
                key = f"{layout.name}-{cell.key}"
                parts.append(
                    f'<a class="kb-gap__cell kb-gap__cell--{side}" '
                    f'href="#{row.key}--{outcome.id}" '
                    f'data-cell="{cell.key}" data-studies="{len(cell.studies)}" '
                    f'data-r="{index}" data-c="{2 * (first + o_index) + s_index}" '
                    f'data-level="{cell.level.value if cell.level else ""}" '
                    f"aria-label={svg_attribute(cell.name)}>"
                    f'<rect class="kb-gap__hit" x="{x + 1:.1f}" y="{y + 1:.1f}" '
                    f'width="{layout.column_width - 2:.1f}" '
                    f'height="{layout.row_height - 2:.1f}" rx="4"/>'
                    f'<g class="kb-gap__mark" {at.attributes()} data-key="{key}">'
                    f"{draw_mark(key, at, len(cell.studies), cell.level, cell.designs)}</g></a>"
                )
    return parts


def _headings(
    outcomes: Sequence[Outcome], layout: Layout, left: float, top: float
) -> tuple[list[str], float]:
    """Group headings over pairs of columns, then Benefits/Limits; returns the parts and height."""
    width = 2 * layout.column_width
    wrapped = [wrap(o.title, width - 8) for o in outcomes]
    lines = max((len(w) for w in wrapped), default=1)
    parts: list[str] = []
    for index, (_outcome, text) in enumerate(zip(outcomes, wrapped, strict=True)):
        x = left + index * width
        first = top + (lines - len(text)) * LINE_HEIGHT + LINE_HEIGHT
        parts.append(_text_lines(text, x + width / 2, first, "kb-gap__heading", "middle"))
        for s_index, side in enumerate(SIDES):
            sx = x + (s_index + 0.5) * layout.column_width
            parts.append(
                f'<text class="kb-gap__side kb-gap__side--{side}" x="{sx:.1f}" '
                f'y="{top + lines * LINE_HEIGHT + 20:.1f}" text-anchor="middle">'
                f"{SIDE_HEADINGS[side]}</text>"
            )
    return parts, lines * LINE_HEIGHT + 30


def draw_map(gap_map: GapMap, layout: Layout, page: str, *, map_id: str) -> str:
    """The whole map as one SVG in a layout; marks link to their row of the table below."""
    return _draw(gap_map, layout, page, map_id)[0]


def _draw(gap_map: GapMap, layout: Layout, page: str, map_id: str) -> tuple[str, int, int]:
    """`draw_map`'s SVG with its width and height in pixels."""
    groups: list[Sequence[Outcome]] = (
        [(o,) for o in gap_map.outcomes] if layout.panels else [gap_map.outcomes]
    )
    body: list[str] = []
    top = 0.0
    width = layout.label_width
    for outcomes in groups:
        headings, height = _headings(outcomes, layout, layout.label_width, top)
        grid_top = top + height
        body.append('<g class="kb-gap__panel">')
        body += _row_labels(gap_map, layout, grid_top, page)
        body += headings
        body += _cells(gap_map, layout, outcomes, layout.label_width, grid_top)
        bottom = grid_top + len(gap_map.rows) * layout.row_height
        body += [
            f'<line class="kb-gap__rule" x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" '
            f'y2="{bottom:.1f}"/>'
            for x in (
                layout.label_width + 2 * i * layout.column_width for i in range(len(outcomes))
            )
        ]
        body.append("</g>")
        width = max(width, layout.label_width + 2 * len(outcomes) * layout.column_width)
        top = grid_top + len(gap_map.rows) * layout.row_height + (24 if layout.panels else 0)
    height = top + 2
    title = "Evidence and gap map"
    description = (
        "Rows are the principles and MLOps as a whole; columns are outcome groups, each split "
        "into benefits and limitations. A mark's size is the number of independent studies, "
        "its shape and label the best confidence in the cell; an empty cell says none. The "
        "table below lists every cell in words."
    )
    w, h = round(width), round(height)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kb-gap__svg" id="{map_id}" '
        f'viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'font-size="{FONT_SIZE}" aria-labelledby="{map_id}-title" '
        f'aria-describedby="{map_id}-desc">'
        f'<title id="{map_id}-title">{svg_text(title)}</title>'
        f'<desc id="{map_id}-desc">{svg_text(description)}</desc>' + "".join(body) + "</svg>"
    )
    return svg, w, h


def drawings(gap_map: GapMap, page: str) -> str:
    """Both layouts, as HTML; the stylesheet shows the one that fits the screen.

    Each box has the drawing's width and proportions before the drawing is laid out, so the
    stylesheet can leave a drawing below the fold unrendered (`content-visibility: auto`)
    without the page moving when it is rendered. The proportions are a padding percentage
    (height over width), which every browser and HTML checker knows, not `aspect-ratio`.
    """
    parts = []
    for layout in LAYOUTS:
        svg, width, height = _draw(gap_map, layout, page, f"kb-gap-{layout.name}")
        parts.append(
            f'<div class="kb-gap__drawing kb-gap__drawing--{layout.name}" '
            f'style="max-width: {width}px"><div class="kb-gap__frame" '
            f'style="padding-top: {_proportion(width, height)}%">{svg}</div></div>'
        )
    return "\n".join(parts)


def _proportion(width: int, height: int) -> str:
    """A drawing's height as a percentage of its width, as CSS padding takes it."""
    return f"{100 * height / width:.4f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------------
# The data the page script filters


FACETS = (
    ("stage", "project_stages", "Project stage", vocabulary.PROJECT_STAGES),
    ("deployment", "deployment", "Deployment", vocabulary.DEPLOYMENT_MODES),
    ("learning", "learning", "Kind of ML", vocabulary.LEARNING_MODES),
)
"""Context facets with a closed vocabulary: (address key, context field, label, vocabulary)."""


def filter_options(graph: Graph, evidence: Evidence) -> dict[str, Any]:
    """Every filter with its options, the values present in the knowledge base only."""
    kb = graph.kb
    studies = [
        evidence.studies[s] for f in kb.findings for s in (x.id for x in evidence.studies_of(f))
    ]
    designs = sorted({s.design for s in studies}, key=vocabulary.STUDY_DESIGNS.names.index)
    kinds = sorted({s.kind for s in studies}, key=vocabulary.STUDY_KINDS.names.index)
    link_kinds = sorted(
        {e.link for f in kb.findings for e in f.evidence}, key=vocabulary.LINK_KINDS.names.index
    )
    reviews = sorted({"yes" if s.peer_reviewed else "no" for s in studies}, reverse=True)
    facets: list[dict[str, Any]] = []
    for key, field, label, choice in FACETS:
        values = {v for f in kb.findings for v in getattr(f.context, field)}
        facets.append(
            {
                "key": key,
                "label": label,
                "options": [[v, choice.label(v)] for v in choice.names if v in values],
            }
        )
    sectors = sorted({v for f in kb.findings for v in f.context.sectors})
    facets.append(
        {
            "key": "sector",
            "label": "Sector",
            "options": [[s, s.replace("-", " ").capitalize()] for s in sectors],
        }
    )
    return {
        "checks": [
            {
                "key": "design",
                "label": "Study design",
                "options": [[d, vocabulary.STUDY_DESIGNS.label(d)] for d in designs],
            },
            {
                "key": "kind",
                "label": "Primary or secondary",
                "options": [[k, vocabulary.STUDY_KINDS.label(k)] for k in kinds],
            },
            {
                "key": "review",
                "label": "Peer review",
                "options": [
                    [r, "Peer reviewed" if r == "yes" else "Preprint or thesis"] for r in reviews
                ],
            },
            {
                "key": "link",
                "label": "Link to the principles",
                "options": [[k, vocabulary.LINK_KINDS.label(k)] for k in link_kinds],
            },
        ],
        "facets": [f for f in facets if f["options"]],
    }


def map_data(gap_map: GapMap, graph: Graph, evidence: Evidence, page: str) -> dict[str, Any]:
    """Everything the page script needs to filter and redraw, links relative to the page."""
    kb = graph.kb
    used = sorted({s.id for f in kb.findings for s in evidence.studies_of(f)})
    studies = {
        sid: {
            "label": study_name(evidence.studies[sid], graph),
            "href": links.html_href(page, links.page_path(evidence.studies[sid])),
            "design": evidence.studies[sid].design,
            "kind": evidence.studies[sid].kind,
            "review": "yes" if evidence.studies[sid].peer_reviewed else "no",
        }
        for sid in used
    }
    findings: dict[str, dict[str, Any]] = {}
    for finding in kb.findings:
        rating = evidence.ratings[finding.id]
        context = finding.context
        findings[finding.id] = {
            "title": finding.title,
            "type": finding.type,
            "href": links.html_href(page, links.page_path(finding)),
            "level": rating.level.value,
            "rows": list(rows_of_finding(finding)),
            "outcomes": list(finding.outcomes),
            "evidence": [
                [evidence.study_of_citation[item.citation].id, item.link]
                for item in finding.evidence
            ],
            "context": {
                "stage": list(context.project_stages),
                "deployment": list(context.deployment),
                "learning": list(context.learning),
                "sector": list(context.sectors),
            },
        }
    return {
        "rows": [{"key": r.key, "label": r.label} for r in gap_map.rows],
        "outcomes": [{"id": o.id, "title": o.title} for o in gap_map.outcomes],
        "sides": list(SIDES),
        "studies": studies,
        "findings": findings,
        "levels": [
            {
                "value": level.value,
                "rank": level.rank,
                "symbol": LEVEL_SYMBOLS[level],
                "shape": SHAPES[level],
            }
            for level in LEVELS
        ],
        "designs": {d: vocabulary.STUDY_DESIGNS.label(d) for d in vocabulary.STUDY_DESIGNS.names},
        "filters": filter_options(graph, evidence),
        "marks": {"min": R_MIN, "step": R_STEP, "max": R_MAX},
    }


# ---------------------------------------------------------------------------------------------
# The controls and the key, as HTML (entry text escaped for HTML)


def filter_form(options: dict[str, Any]) -> str:
    """The filters, as an HTML form.

    Laid out from the start where scripts run, so that the page does not move when the script
    starts, and hidden by the stylesheet where they do not: without JavaScript the map shows
    everything.
    """
    parts = [
        '<form class="kb-gap__filters" id="kb-gap-form">',
        '<p class="kb-gap__filters-title"><strong>Filter the evidence</strong> '
        "(the map, its counts and the downloads follow; the address keeps the view)</p>",
    ]
    for group in options["checks"]:
        parts.append(
            f'<fieldset class="kb-gap__group kb-gap__group--{escape(group["key"])}">'
            f"<legend>{escape(group['label'])}</legend>"
        )
        for value, label in group["options"]:
            input_id = f"kb-gap-{group['key']}-{value}"
            parts.append(
                f'<label for="{escape(input_id)}"><input type="checkbox" '
                f'id="{escape(input_id)}" name="{escape(group["key"])}" '
                f'value="{escape(value)}" checked> {escape(label)}</label>'
            )
        parts.append("</fieldset>")
    for facet in options["facets"]:
        select_id = f"kb-gap-{facet['key']}"
        parts.append(
            f'<p class="kb-gap__facet"><label for="{escape(select_id)}">{escape(facet["label"])}'
            f'</label> <select id="{escape(select_id)}" name="{escape(facet["key"])}">'
            '<option value="">Any (no filter)</option>'
        )
        parts += [
            f'<option value="{escape(value)}">{escape(label)}</option>'
            for value, label in facet["options"]
        ]
        parts.append("</select></p>")
    parts.append(
        '<p class="kb-gap__actions"><button type="button" class="kb-gap__button" '
        'id="kb-gap-reset">Show all the evidence</button> '
        '<button type="button" class="kb-gap__button" id="kb-gap-svg">Download SVG</button> '
        '<button type="button" class="kb-gap__button" id="kb-gap-png">Download PNG</button> '
        '<button type="button" class="kb-gap__button" id="kb-gap-csv">Download CSV</button></p>'
        "</form>"
    )
    return "".join(parts)


def designs_in_use(data: dict[str, Any]) -> tuple[str, ...]:
    """The study designs the map's data offers as a filter (those behind some finding)."""
    group = next(g for g in data["filters"]["checks"] if g["key"] == "design")
    return tuple(value for value, _ in group["options"])


def key_html(designs: Sequence[str]) -> str:
    """The key: the shape of each confidence level, the size scale and the design colours."""
    parts = [
        '<div class="kb-gap__key"><p><strong>Best confidence in the cell</strong> '
        '(shape and label):</p><ul class="kb-gap__legend">'
    ]
    for level in LEVELS:
        path = shape_path(SHAPES[level], 12, 12, 9)
        parts.append(
            f'<li><svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true">'
            f'<path class="kb-gap__keyshape" d="{path}"/></svg> '
            f"{LEVEL_SYMBOLS[level]} {level.value}</li>"
        )
    parts.append(
        "</ul><p><strong>Size</strong>: the number of independent studies, written with "
        "the mark.</p>"
    )
    parts.append(
        '<p><strong>Colours</strong>: the studies\u2019 designs.</p><ul class="kb-gap__legend">'
    )
    for design in designs:
        parts.append(
            f'<li><svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">'
            f'<rect class="kb-gap__seg kb-gap__seg--{escape(design)}" width="16" '
            'height="16" rx="3"/>'
            f"</svg> {escape(vocabulary.STUDY_DESIGNS.label(design))}</li>"
        )
    parts.append("</ul></div>")
    return "".join(parts)
