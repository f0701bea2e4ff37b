"""The relationship maps: one per principle, boxes and curves derived from kb/, text inert."""

import json
import xml.etree.ElementTree as ET

import pytest

from kbsite import build_site, links, ratings
from kbsite.diagram import CHAR_WIDTH, LAYOUTS, PADDING, findings_map, svg_attribute, svg_text, wrap
from kbsite.graph import build_graph

from conftest import real_kb, real_site

SVG = "{http://www.w3.org/2000/svg}"
KB = real_kb()
GRAPH = build_graph(KB)
EVIDENCE = ratings.evaluate(KB)
MAPPED = [p for p in KB.principles if GRAPH.findings_of_principle[p.id]]


def _map(graph, evidence, principle) -> ET.Element:
    page = links.page_path(principle)
    findings = (*graph.benefits_of(principle.id), *graph.limitations_of(principle.id))
    html = findings_map(
        graph, evidence, findings, page, map_id=f"map-{principle.id}", subject=principle.label
    )
    return ET.fromstring(f"<maps>{html}</maps>")


def _svgs(root: ET.Element) -> list[ET.Element]:
    return root.findall(f"div/{SVG}svg")


def _nodes(svg: ET.Element, kind: str) -> list[ET.Element]:
    return [a for a in svg.iter(f"{SVG}a") if f"kb-map__node--{kind}" in a.get("class", "")]


def _text(node: ET.Element) -> str:
    """The box's visible title: its lines other than the detail line, joined."""
    spans = [s for s in node.iter(f"{SVG}tspan") if "kb-map__detail" not in s.get("class", "")]
    return " ".join(s.text or "" for s in spans)


def test_the_real_kb_has_principles_with_maps():
    assert MAPPED


@pytest.mark.parametrize("principle", MAPPED, ids=[p.id for p in MAPPED])
def test_each_principle_map_draws_its_findings_their_studies_and_one_curve_each(principle):
    findings = GRAPH.findings_of_principle[principle.id]
    pairs = {
        (EVIDENCE.study_of_citation[e.citation].id, f.id) for f in findings for e in f.evidence
    }
    root = _map(GRAPH, EVIDENCE, principle)
    svgs = _svgs(root)
    assert [div.get("class") for div in root] == [f"kb-map kb-map--{x.name}" for x in LAYOUTS]
    for svg in svgs:
        finding_boxes = _nodes(svg, "benefit") + _nodes(svg, "limitation")
        assert sorted(a.get("href") for a in finding_boxes) == sorted(
            links.html_href(links.page_path(principle), links.page_path(f)) for f in findings
        )
        assert len(_nodes(svg, "study")) == len({study for study, _ in pairs})
        assert len(svg.findall(f"{SVG}g/{SVG}path")) == len(pairs)
        assert svg.find(f"{SVG}title").text == f"Relationship map of {principle.label}"
        for finding in findings:
            box = next(a for a in finding_boxes if a.get("href").endswith(f"/{finding.id}/"))
            rating = EVIDENCE.ratings[finding.id]
            assert _text(box).replace(" ", "") == finding.title.replace(" ", "")
            # The name starts with what the box shows (WCAG 2.5.3, label in name).
            assert box.get("aria-label").startswith(f"{finding.title}: {finding.type}, ")
            assert f"{rating.level.value} confidence" in box.get("aria-label")
    assert len({svg.get("id") for svg in svgs}) == len(svgs)  # one id per drawing


@pytest.mark.parametrize("principle", MAPPED, ids=[p.id for p in MAPPED])
def test_a_curve_is_dashed_exactly_when_the_editors_infer_the_link(principle):
    findings = GRAPH.findings_of_principle[principle.id]
    inferred = {
        (EVIDENCE.study_of_citation[e.citation].id, f.id): True
        for f in findings
        for e in f.evidence
    }
    for finding in findings:
        for item in finding.evidence:
            key = (EVIDENCE.study_of_citation[item.citation].id, finding.id)
            inferred[key] = inferred[key] and item.link == "inferred"
    svg = _svgs(_map(GRAPH, EVIDENCE, principle))[0]
    kinds = [path.get("class").rsplit("--", 1)[1] for path in svg.iter(f"{SVG}path")]
    assert sorted(kinds) == sorted("inferred" if flag else "stated" for flag in inferred.values())


def test_principles_without_findings_get_no_map_and_a_sentence_instead():
    site = real_site()
    for principle in KB.principles:
        page = site.pages[links.page_path(principle)]
        if principle in MAPPED:
            assert page.count('<svg xmlns="http://www.w3.org/2000/svg"') == len(LAYOUTS)
        else:
            assert "<svg" not in page
            assert "No benefit of this principle is in the knowledge base yet" in page


def test_hostile_titles_are_escaped_in_the_map(kb_copy, tmp_path):
    # Markup in a title is refused by validation; what passes must still be escaped.
    title = "a < b && \"c\" > d ]]> &amp; 'e'"
    kb_dir = kb_copy({})
    path = kb_dir / "benefits" / "faster-things.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "title: Faster things", f"title: {json.dumps(title)}"
        ),
        encoding="utf-8",
    )
    site = build_site(kb_dir, tmp_path)
    kb = site.graph.kb
    principle = next(p for p in kb.principles if site.graph.findings_of_principle[p.id])
    root = _map(site.graph, ratings.evaluate(kb), principle)
    box = next(
        a for a in _nodes(_svgs(root)[0], "benefit") if a.get("href").endswith("/faster-things/")
    )
    assert _text(box).replace(" ", "") == title.replace(" ", "")
    assert title in box.get("aria-label")
    page = site.pages[links.page_path(principle)]
    assert "a < b" not in page
    assert '"c" >' not in page


def test_entry_text_becomes_inert_character_data_and_attributes():
    hostile = 'a < b && "c" \']]> </text><script>x</script> \x01\x0b{: onclick="x" }'
    root = ET.fromstring(f'<text xmlns="http://www.w3.org/2000/svg">{svg_text(hostile)}</text>')
    assert len(root) == 0
    assert root.text == " ".join(hostile.split()).replace("\x01", "\ufffd")
    element = ET.fromstring(
        f'<a xmlns="http://www.w3.org/2000/svg" aria-label={svg_attribute(hostile)}/>'
    )
    assert element.get("aria-label") == " ".join(hostile.split()).replace("\x01", "\ufffd")
    assert list(element.attrib) == ["aria-label"]


@pytest.mark.parametrize(
    "text",
    [
        "Investment expected to pay off for larger applications with continuous deployment",
        "A" * 90,
        "short",
        "word " * 30,
    ],
)
@pytest.mark.parametrize("width", [100, 170, 380])
def test_wrapped_lines_fit_their_box_and_keep_every_word(text, width):
    lines = wrap(text, width)
    limit = int(width // CHAR_WIDTH)
    assert all(len(line) <= limit for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(line for line in lines)


def test_the_narrow_drawing_fits_a_360_pixel_phone_and_the_wide_one_the_page_column():
    widths = {
        layout.name: layout.study_width + layout.gap + layout.finding_width for layout in LAYOUTS
    }
    assert widths["narrow"] <= 360 - 2 * 16  # Material's content padding on a phone
    assert widths["wide"] <= 690  # the content column at 1,280 px
    assert all(layout.study_width > 2 * PADDING + 8 * CHAR_WIDTH for layout in LAYOUTS)
