"""The relationship picture: sources, findings and principles as an SVG drawn at build time.

A static SVG needs no script and no network, and renders the same in every browser; the page
that shows it also carries the same relations as text.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from kbsite.graph import Graph, principle_order
from kbsite.model import Finding

ROW = 26
TOP = 60
WIDTH = 1180
COLUMNS = {"citation": 20, "finding": 430, "principle": 900}
BOX_WIDTH = {"citation": 290, "finding": 360, "principle": 260}
COLOURS = {
    "citation": "#37474f",
    "benefit": "#1b5e20",
    "limitation": "#8a4b00",
    "principle": "#1a237e",
}


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def svg_text(text: str) -> str:
    """Entry text as SVG character data: one line, escaped, with no character XML forbids."""
    return escape(_NOT_XML.sub("\ufffd", " ".join(str(text).split())))


def _label(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _box(kind: str, colour_key: str, index: int, text: str) -> str:
    x, y = COLUMNS[kind], TOP + index * ROW
    width = BOX_WIDTH[kind]
    colour = COLOURS[colour_key]
    return (
        f'<rect x="{x}" y="{y}" width="{width}" height="{ROW - 6}" rx="3" fill="#ffffff" '
        f'stroke="{colour}"/><text x="{x + 6}" y="{y + 14}" fill="{colour}">'
        f"{svg_text(_label(text, width // 7))}</text>"
    )


def relationship_svg(graph: Graph) -> str:
    """Draw every citation → finding → principle link, in the order the indexes use."""
    kb = graph.kb
    citations = sorted(kb.citations, key=lambda c: c.id)
    findings: list[Finding] = [*kb.benefits, *kb.limitations]
    principles = sorted(kb.principles, key=principle_order)
    row_of = {
        **{("citation", c.id): i for i, c in enumerate(citations)},
        **{("finding", f.id): i for i, f in enumerate(findings)},
        **{("principle", p.id): i for i, p in enumerate(principles)},
    }
    rows = max(len(citations), len(findings), len(principles), 1)
    height = TOP + rows * ROW + 20

    def middle(kind: str, entry_id: str) -> float:
        return TOP + row_of[(kind, entry_id)] * ROW + (ROW - 6) / 2

    edges = []
    for finding in findings:
        for citation_id in finding.citation_ids:
            edges.append(
                f'<line x1="{COLUMNS["citation"] + BOX_WIDTH["citation"]}" '
                f'y1="{middle("citation", citation_id):.0f}" x2="{COLUMNS["finding"]}" '
                f'y2="{middle("finding", finding.id):.0f}" stroke="#90a4ae"/>'
            )
        dashed = (
            "" if any(e.link == "stated" for e in finding.evidence) else (' stroke-dasharray="5 4"')
        )
        for principle_id in finding.principles:
            edges.append(
                f'<line x1="{COLUMNS["finding"] + BOX_WIDTH["finding"]}" '
                f'y1="{middle("finding", finding.id):.0f}" x2="{COLUMNS["principle"]}" '
                f'y2="{middle("principle", principle_id):.0f}" stroke="#5c6bc0"{dashed}/>'
            )
    boxes = [_box("citation", "citation", i, c.short_label) for i, c in enumerate(citations)]
    boxes += [_box("finding", f.type, i, f.title) for i, f in enumerate(findings)]
    boxes += [_box("principle", "principle", i, p.label) for i, p in enumerate(principles)]
    headings = "".join(
        f'<text x="{COLUMNS[kind]}" y="{TOP - 24}" font-weight="bold" fill="#212121">{title}</text>'
        for kind, title in (
            ("citation", "Sources"),
            ("finding", "Benefits and limitations"),
            ("principle", "Principles"),
        )
    )
    legend = (
        f'<text x="{COLUMNS["principle"]}" y="{TOP - 8}" fill="#212121" font-size="11">'
        "solid: stated by a source · dashed: editors' inference</text>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="12" '
        'role="img" aria-labelledby="map-title map-desc">'
        '<title id="map-title">Relationship map of the knowledge base</title>'
        f'<desc id="map-desc">{len(citations)} sources linked to the {len(findings)} '
        f"benefits and limitations they support, which are linked to the {len(principles)} "
        "principles they concern. The page that shows this picture lists the same links as "
        "text.</desc>"
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>'
        f"{headings}{legend}{''.join(edges)}{''.join(boxes)}</svg>\n"
    )
