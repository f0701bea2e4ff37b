"""Relationship maps drawn at build time as inline SVG: the studies behind a principle's findings.

A map is two columns of boxes joined by curves: studies on the left, the principle's benefits
and limitations (with their confidence) on the right, a solid curve where a source of the
study names the principle and a dashed one where the editors infer the link. Every box is a
link to its page with an accessible name, so the picture is clickable and reachable from the
keyboard; colours come from the site's stylesheet (light and dark), and the text is drawn at
13 px, never scaled down: each page carries a wide drawing and a narrow one for phones, and
its stylesheet shows the one that fits. Entry text is escaped for SVG character data and
attributes; the page that shows a map lists the same links as text. Pure: maps are strings.

Why one small map per principle rather than one map of everything (both were drawn and
compared, issue 15): at a readable 13 px the whole knowledge base (29 findings, 20 studies,
9 principles at the time) was a 2,000-pixel-tall column of boxes joined by some 70 crossing
curves; tracing one study to its findings meant following a curve across the screen, and it
grows with every entry. On a principle's page the picture holds a handful of findings and
studies, fits one screen, every curve can be followed at a glance, and the reader meets it
where the question is asked ("what supports this principle, and how firmly?"). The overview
across principles is the evidence and gap map's job.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from kbsite import links, vocabulary
from kbsite.graph import Graph
from kbsite.model import Finding, Study
from kbsite.ratings import Evidence

FONT_SIZE = 13
"""Text size in pixels: maps are drawn at their own width, so this is the size readers see."""
LINE_HEIGHT = 17
PADDING = 7
ROW_GAP = 10
COLUMN_GAP = 64
HEADING_HEIGHT = 30
CHAR_WIDTH = 0.62 * FONT_SIZE
"""A generous average glyph width, so that wrapped lines fit their box in wide system fonts."""
EDGE_STUB = 6

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def svg_text(text: str) -> str:
    """Entry text as SVG character data: one line, escaped, with no character XML forbids."""
    return escape(_NOT_XML.sub("\ufffd", " ".join(str(text).split())))


def svg_attribute(text: str) -> str:
    """Entry text as a quoted SVG attribute value (quotes included)."""
    return quoteattr(_NOT_XML.sub("\ufffd", " ".join(str(text).split())))


def wrap(text: str, width: float) -> tuple[str, ...]:
    """Text broken into lines that fit `width` pixels; over-long words are split."""
    limit = max(4, int(width // CHAR_WIDTH))
    lines: list[str] = []
    current = ""
    for word in " ".join(str(text).split()).split(" "):
        while len(word) > limit:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:limit])
            word = word[limit:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= limit:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current or not lines:
        lines.append(current)
    return tuple(lines)


@dataclass(frozen=True)
class Column:
    """A column of boxes: where it is, how wide, and its heading."""

    x: float
    width: float
    heading: str


@dataclass(frozen=True)
class Node:
    """One box: its column, its text, where it links and what it is called."""

    key: str
    column: int
    title: str
    detail: str
    href: str
    name: str
    """The accessible name: the visible text and what the colour and shape say."""
    kind: str
    """`study`, `benefit`, `limitation` or `principle`: the box's style."""


@dataclass(frozen=True)
class Edge:
    """A curve from a box in one column to a box in the next."""

    source: str
    target: str
    inferred: bool


@dataclass(frozen=True)
class _Placed:
    node: Node
    x: float
    y: float
    width: float
    height: float
    lines: tuple[str, ...]
    detail: tuple[str, ...]


def draw(
    columns: Sequence[Column],
    nodes: Sequence[Node],
    edges: Iterable[Edge],
    *,
    map_id: str,
    title: str,
    description: str,
) -> str:
    """An inline SVG of the boxes, each column stacked in the order given, centred."""
    boxes = []
    for node in nodes:
        text_width = columns[node.column].width - 2 * PADDING
        lines = wrap(node.title, text_width)
        detail = wrap(node.detail, text_width) if node.detail else ()
        boxes.append((node, lines, detail, 2 * PADDING + LINE_HEIGHT * (len(lines) + len(detail))))
    heights: dict[int, float] = {}
    for node, _, _, box_height in boxes:
        heights[node.column] = heights.get(node.column, -ROW_GAP) + box_height + ROW_GAP
    tallest = max(heights.values(), default=0.0)
    offset = {i: HEADING_HEIGHT + (tallest - h) / 2 for i, h in heights.items()}
    placed: dict[str, _Placed] = {}
    for node, lines, detail, box_height in boxes:
        column = columns[node.column]
        y = offset[node.column]
        placed[node.key] = _Placed(node, column.x, y, column.width, box_height, lines, detail)
        offset[node.column] = y + box_height + ROW_GAP
    width = max((c.x + c.width for c in columns), default=0.0)
    height = HEADING_HEIGHT + tallest + 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kb-map__svg" id="{map_id}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'font-size="{FONT_SIZE}" aria-labelledby="{map_id}-title" '
        f'aria-describedby="{map_id}-desc">',
        f'<title id="{map_id}-title">{svg_text(title)}</title>',
        f'<desc id="{map_id}-desc">{svg_text(description)}</desc>',
    ]
    parts += [
        f'<text class="kb-map__heading" x="{column.x:.0f}" y="{HEADING_HEIGHT - 12}">'
        f"{svg_text(column.heading)}</text>"
        for column in columns
    ]
    parts.append('<g class="kb-map__edges" aria-hidden="true">')
    drawn = sorted(set(edges), key=lambda e: (e.source, e.target, e.inferred))
    ends = _edge_ends(drawn, placed)
    for edge in drawn:
        source, target = placed[edge.source], placed[edge.target]
        x1, y1 = source.x + source.width, ends[(edge, "source")]
        x2, y2 = target.x, ends[(edge, "target")]
        bend = (x2 - x1) / 2
        kind = "inferred" if edge.inferred else "stated"
        parts.append(
            f'<path class="kb-map__edge kb-map__edge--{kind}" d="M{x1:.1f} {y1:.1f} '
            f'C{x1 + bend:.1f} {y1:.1f} {x2 - bend:.1f} {y2:.1f} {x2:.1f} {y2:.1f}"/>'
        )
    parts.append("</g>")
    for box in placed.values():
        parts.append(_box(box))
    parts.append("</svg>")
    return "".join(parts)


def _edge_ends(edges: Sequence[Edge], placed: dict[str, _Placed]) -> dict[tuple[Edge, str], float]:
    """Where each curve meets its boxes.

    The ends are spread along the box's side in the order of the other ends, so that curves
    into one box can be told apart and do not cross there.
    """
    sides: dict[tuple[str, str], list[tuple[float, Edge]]] = {}
    for edge in edges:
        source, target = placed[edge.source], placed[edge.target]
        sides.setdefault((edge.source, "source"), []).append((target.y, edge))
        sides.setdefault((edge.target, "target"), []).append((source.y, edge))
    ends: dict[tuple[Edge, str], float] = {}
    for (key, end), others in sides.items():
        box = placed[key]
        span = max(0.0, min(box.height - 2 * EDGE_STUB, (len(others) - 1) * 6.0))
        top = box.y + box.height / 2 - span / 2
        ordered = sorted(others, key=lambda pair: (pair[0], pair[1].source, pair[1].target))
        for index, (_, edge) in enumerate(ordered):
            step = span / (len(others) - 1) if len(others) > 1 else 0.0
            ends[(edge, end)] = top + index * step
    return ends


def _box(box: _Placed) -> str:
    node = box.node
    text_x = box.x + PADDING
    lines = [
        f'<tspan x="{text_x:.0f}" y="{box.y + PADDING + LINE_HEIGHT * (i + 1) - 4:.1f}">'
        f"{svg_text(line)}</tspan>"
        for i, line in enumerate(box.lines)
    ]
    start = len(box.lines)
    lines += [
        f'<tspan class="kb-map__detail" x="{text_x:.0f}" '
        f'y="{box.y + PADDING + LINE_HEIGHT * (start + i + 1) - 4:.1f}">{svg_text(line)}</tspan>'
        for i, line in enumerate(box.detail)
    ]
    shape = (
        f'<rect x="{box.x:.0f}" y="{box.y:.1f}" width="{box.width:.0f}" '
        f'height="{box.height:.0f}" rx="4"/>'
        f'<rect class="kb-map__bar" x="{box.x:.0f}" y="{box.y:.1f}" width="4" '
        f'height="{box.height:.0f}"/>'
        # A space between the lines, so the text a screen reader or checker reads off the
        # box has its words apart ("(2024) Focus", not "(2024)Focus"), as the name has them.
        f"<text>{' '.join(lines)}</text>"
    )
    if not node.href:
        return f'<g class="kb-map__node kb-map__node--{node.kind}">{shape}</g>'
    return (
        f'<a class="kb-map__node kb-map__node--{node.kind}" href={svg_attribute(node.href)} '
        f"aria-label={svg_attribute(node.name)}>{shape}</a>"
    )


# ---------------------------------------------------------------------------------------------
# What the maps show


def study_name(study: Study, graph: Graph) -> str:
    """How a map names a study: the label of its first report, e.g. 'Araujo et al. (2024)'."""
    first = graph.citations.get(study.reports[0])
    return first.short_label if first else study.title


def _study_node(study: Study, column: int, graph: Graph, page: str) -> Node:
    name = study_name(study, graph)
    design = vocabulary.STUDY_DESIGNS.label(study.design)
    kind = "secondary study" if study.kind == "secondary" else "study"
    return Node(
        key=f"study:{study.id}",
        column=column,
        title=name,
        detail=design,
        href=links.html_href(page, links.page_path(study)),
        name=f"{name}, {design} {kind}",
        kind="study",
    )


def _finding_node(finding: Finding, column: int, evidence: Evidence, page: str) -> Node:
    rating = evidence.ratings[finding.id]
    studies = len(rating.studies)
    type_word = "Benefit" if finding.type == "benefit" else "Limitation"
    level = rating.level.value
    return Node(
        key=f"finding:{finding.id}",
        column=column,
        title=finding.title,
        # A comma, not "·": checkers of label-in-name (WCAG 2.5.3) read "·" as a word.
        detail=f"{type_word}, {rating.symbol} {level}",
        href=links.html_href(page, links.page_path(finding)),
        name=(
            f"{finding.title}: {type_word.lower()}, {level} confidence, "
            f"{studies} {'study' if studies == 1 else 'studies'}"
        ),
        kind=finding.type,
    )


def _evidence_edges(finding: Finding, evidence: Evidence) -> list[Edge]:
    """One curve per study behind a finding.

    Solid when a source of that study states the link to the principles (or the finding
    concerns them all), dashed when the editors infer it.
    """
    inferred: dict[str, bool] = {}
    for item in finding.evidence:
        study = evidence.study_of_citation[item.citation].id
        inferred[study] = inferred.get(study, True) and item.link == "inferred"
    return [
        Edge(f"study:{study}", f"finding:{finding.id}", flag)
        for study, flag in sorted(inferred.items())
    ]


def _order_by_neighbours(keys: Sequence[str], rank: dict[str, list[float]]) -> list[str]:
    """Keys sorted by the mean position of their neighbours (fewer crossing curves)."""
    return sorted(
        keys, key=lambda key: (sum(rank[key]) / len(rank[key]) if rank[key] else math.inf, key)
    )


@dataclass(frozen=True)
class Layout:
    """The widths of a map's two columns and the gap between them, in pixels."""

    name: str
    study_width: float
    gap: float
    finding_width: float


LAYOUTS = (Layout("wide", 220, 64, 396), Layout("narrow", 120, 24, 184))
"""Wide fits the page column from 720 px screens up (680 px); narrow fits a 360 px phone.
The page carries both and its stylesheet shows the one that fits."""


def findings_map(
    graph: Graph,
    evidence: Evidence,
    findings: Sequence[Finding],
    page: str,
    *,
    map_id: str,
    subject: str,
) -> str:
    """The studies behind some findings and how they link, as HTML (one drawing per layout).

    Empty when there are no findings: the page then says so in words.
    """
    if not findings:
        return ""
    finding_nodes = [_finding_node(f, 1, evidence, page) for f in findings]
    edges = [edge for f in findings for edge in _evidence_edges(f, evidence)]
    position = {node.key: i for i, node in enumerate(finding_nodes)}
    rank: dict[str, list[float]] = {}
    for edge in edges:
        rank.setdefault(edge.source, []).append(position[edge.target])
    study_nodes = [
        _study_node(evidence.studies[key.removeprefix("study:")], 0, graph, page)
        for key in _order_by_neighbours(sorted(rank), rank)
    ]
    studies = len(study_nodes)
    description = (
        f"{studies} {'study supports' if studies == 1 else 'studies support'} the "
        f"{len(findings)} {'finding' if len(findings) == 1 else 'findings'} of {subject}. A "
        "solid curve means a source of that study states the link; a dashed one, that the "
        "editors infer it. The page lists the same links as text."
    )
    drawings = []
    for layout in LAYOUTS:
        columns = (
            Column(0, layout.study_width, "Studies"),
            Column(
                layout.study_width + layout.gap,
                layout.finding_width,
                "Benefits and limitations" if layout.name == "wide" else "Findings",
            ),
        )
        svg = draw(
            columns,
            [*study_nodes, *finding_nodes],
            edges,
            map_id=f"{map_id}-{layout.name}",
            title=f"Relationship map of {subject}",
            description=description,
        )
        drawings.append(f'<div class="kb-map kb-map--{layout.name}">{svg}</div>')
    return "\n".join(drawings)
