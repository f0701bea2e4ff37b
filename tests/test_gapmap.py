"""The evidence and gap map: cells derived from kb/, its drawing, its page, and the exact
messages for bad outcome groups. Expectations are worked out from the entries themselves."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from kbsite import KBError, check_kb, gapmap, links, ratings
from kbsite.confidence import LEVELS
from kbsite.graph import build_graph, principle_order
from kbsite.load import read_earlier_file
from kbsite.registry import BY_NAME

from conftest import FIXTURE_KB, real_kb, real_site

KB = real_kb()
GRAPH = build_graph(KB)
EVIDENCE = ratings.evaluate(KB)
MAP = gapmap.build_map(GRAPH, EVIDENCE)
SVG_NS = "{http://www.w3.org/2000/svg}"


def _expected_cells(kb, evidence):
    """Cell contents worked out directly: each finding under each principle (or MLOps as a
    whole) and each outcome group it names; studies counted through the studies' reports."""
    study_of = {report: study.id for study in kb.studies for report in study.reports}
    cells: dict[tuple[str, str, str], dict] = {}
    for finding in kb.findings:
        for row in finding.principles or ["mlops"]:
            for outcome in finding.outcomes:
                cell = cells.setdefault((row, outcome, finding.type), {"f": set(), "s": set()})
                cell["f"].add(finding.id)
                cell["s"].update(study_of[item.citation] for item in finding.evidence)
    return cells


def test_the_real_kb_places_every_finding_in_an_outcome_group():
    assert KB.outcomes
    assert all(finding.outcomes for finding in KB.findings)
    ids = {o.id for o in KB.outcomes}
    assert {o for f in KB.findings for o in f.outcomes} <= ids


def test_rows_are_the_principles_in_order_then_mlops_as_a_whole():
    principles = sorted(KB.principles, key=principle_order)
    assert [row.key for row in MAP.rows] == [p.id for p in principles] + [gapmap.WHOLE]
    assert MAP.rows[-1].label == "MLOps as a whole"
    assert MAP.rows[-1].page == links.CROSS_CUTTING_PAGE
    assert [o.id for o in MAP.outcomes] == [
        o.id for o in sorted(KB.outcomes, key=lambda o: (o.order, o.id))
    ]


def test_cells_hold_the_findings_and_independent_studies_their_entries_give():
    expected = _expected_cells(KB, EVIDENCE)
    assert len(MAP.cells) == len(MAP.rows) * len(MAP.outcomes) * 2
    for key, cell in MAP.cells.items():
        wanted = expected.get(key, {"f": set(), "s": set()})
        assert {f.id for f in cell.findings} == wanted["f"], key
        assert set(cell.studies) == wanted["s"], key
        assert sum(count for _, count in cell.designs) == len(cell.studies)
        if cell.findings:
            best = max(EVIDENCE.ratings[f.id].level.rank for f in cell.findings)
            assert cell.level is not None
            assert cell.level.rank == best
        else:
            assert cell.level is None
    assert any(not c.findings for c in MAP.cells.values()), "a map of the real kb has gaps"


def test_a_study_reported_twice_counts_once_in_a_cell(kb_copy):
    # Both fixture citations become reports of one study: the benefit's cell has one study.
    kb_dir = kb_copy(
        {
            "studies/smith-2020-study.yaml": None,
            "studies/doe-2021-study.yaml": (FIXTURE_KB / "studies" / "doe-2021-study.yaml")
            .read_text(encoding="utf-8")
            .replace("reports: [doe-2021]", "reports: [doe-2021, smith-2020]"),
        }
    )
    kb = check_kb(kb_dir, kb_dir.parent)
    graph = build_graph(kb)
    built = gapmap.build_map(graph, ratings.evaluate(kb))
    benefit = kb.benefits[0]
    cell = built.cell(benefit.principles[0], benefit.outcomes[0], "benefit")
    assert len({item.citation for item in benefit.evidence}) == 2
    assert cell.studies == ("doe-2021-study",)


def test_accessible_names_say_where_how_many_and_how_confident():
    cell = next(c for c in MAP.cells.values() if len(c.studies) > 1)
    assert cell.name == (
        f"{cell.row.label} × {cell.outcome.title.lower()} {cell.side}s: "
        f"{len(cell.studies)} studies, {cell.level.value} confidence"
    )
    empty = next(c for c in MAP.cells.values() if not c.findings)
    assert empty.name.endswith(": none, no study")
    assert gapmap.cell_name("P4 Versioning", "Compliance", "benefit", 2, LEVELS[2]) == (
        "P4 Versioning × compliance benefits: 2 studies, low confidence"
    )


def test_marks_grow_with_the_studies_and_each_level_has_its_own_shape():
    sizes = [gapmap.radius(n) for n in range(1, 30)]
    assert sizes == sorted(sizes)
    assert sizes[0] == gapmap.R_MIN
    assert sizes[-1] == gapmap.R_MAX
    assert len(set(gapmap.SHAPES.values())) == len(LEVELS)
    place = gapmap.Place(10, 10, 10, 30, "middle", 10, 14)
    assert ">none</text>" in gapmap.draw_mark("k", place, 0, None, ())


def _drawing(page: str, layout: str) -> ET.Element:
    match = re.search(
        rf'<div class="kb-gap__drawing kb-gap__drawing--{layout}"[^>]*>'
        r'<div class="kb-gap__frame"[^>]*>(<svg.*?</svg>)',
        page,
    )
    assert match, layout
    return ET.fromstring(match.group(1))  # well-formed: no entry text broke out of it


def test_each_drawing_box_has_its_drawing_size_before_the_drawing_is_laid_out():
    """The stylesheet leaves a drawing far below the screen unrendered; its box must already
    have the drawing's width and proportions, or the page would move when it is rendered."""
    page = real_site().pages[links.GAP_MAP_PAGE]
    for layout in gapmap.LAYOUTS:
        box = re.search(
            rf'<div class="kb-gap__drawing kb-gap__drawing--{layout.name}" style="([^"]*)">'
            r'<div class="kb-gap__frame" style="padding-top: ([\d.]+)%">',
            page,
        )
        assert box, layout.name
        svg = _drawing(page, layout.name)
        width, height = svg.get("width"), svg.get("height")
        assert svg.get("viewBox") == f"0 0 {width} {height}"
        assert box.group(1) == f"max-width: {width}px"
        assert float(box.group(2)) == pytest.approx(100 * int(height) / int(width), abs=1e-4)


def test_the_table_of_every_cell_is_in_its_own_box_from_the_build():
    """Its box (rendered only when near the screen) is in the HTML, not added by a script."""
    page = real_site().pages[links.GAP_MAP_PAGE]
    start = page.index('<div class="kb-gap__cells" ')
    body = page[start : page.index("</div>", start)]
    cells = re.findall(r'class="kb-gap__count" data-cell="([^"]+)"', body)
    assert sorted(cells) == sorted(cell.key for cell in MAP.cells.values())


def test_both_drawings_show_every_cell_with_the_counts_of_the_table():
    page = real_site().pages[links.GAP_MAP_PAGE]
    table = {
        m.group(1): int(m.group(2))
        for m in re.finditer(
            r'class="kb-gap__count" data-cell="([^"]+)" data-studies="(\d+)"', page
        )
    }
    expected = {cell.key: len(cell.studies) for cell in MAP.cells.values()}
    assert table == expected
    for layout in ("wide", "narrow"):
        svg = _drawing(page, layout)
        marks = {
            a.get("data-cell"): (int(a.get("data-studies")), a.get("aria-label"))
            for a in svg.iter(f"{SVG_NS}a")
            if a.get("data-cell")
        }
        assert {key: studies for key, (studies, _) in marks.items()} == expected
        for cell in MAP.cells.values():
            assert marks[cell.key][1] == cell.name


def test_page_data_lets_the_script_recompute_every_cell():
    page = real_site().pages[links.GAP_MAP_PAGE]
    raw = re.search(r'<script type="application/json" id="kb-gap-data">(.*?)</script>', page)
    assert raw
    data = json.loads(raw.group(1))
    assert set(data["findings"]) == {f.id for f in KB.findings}
    for finding in KB.findings:
        shown = data["findings"][finding.id]
        assert shown["outcomes"] == list(finding.outcomes)
        assert shown["rows"] == list(finding.principles or ["mlops"])
        assert shown["level"] == EVIDENCE.ratings[finding.id].level.value
        assert {s for s, _ in shown["evidence"]} == {s.id for s in EVIDENCE.studies_of(finding)}
    used = {s.id for f in KB.findings for s in EVIDENCE.studies_of(f)}
    assert set(data["studies"]) == used
    designs = next(g for g in data["filters"]["checks"] if g["key"] == "design")
    assert {v for v, _ in designs["options"]} == {EVIDENCE.studies[s].design for s in used}


def test_every_link_to_the_old_matrix_now_names_the_map():
    site = real_site()
    assert "matrix" not in site.pages[links.HOME_PAGE].lower()
    assert "Open the evidence and gap map" in site.pages[links.HOME_PAGE]
    evidence = next(s for s in site.nav if s.title == "Evidence")
    assert evidence.index == links.GAP_MAP_PAGE
    finding = KB.findings[0]
    text = site.pages[links.page_path(finding)]
    for outcome_id in finding.outcomes:
        assert f"(../evidence/index.md#{outcome_id})" in text
    for outcome in KB.outcomes:
        assert f'<dt id="{outcome.id}">' in site.pages[links.GAP_MAP_PAGE]


# ---------------------------------------------------------------------------------------------
# Bad outcome groups: the exact messages

B = "kb/benefits/faster-things.yaml"


def _benefit(outcomes_line: str) -> str:
    text = (FIXTURE_KB / "benefits" / "faster-things.yaml").read_text(encoding="utf-8")
    return re.sub(r"^outcomes: .*\n", outcomes_line, text, flags=re.M)


def _line_of(text: str, prefix: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(prefix))


@pytest.mark.parametrize(
    ("outcomes_line", "message"),
    [
        (
            "outcomes: [sped]\n",
            ":12: expected the id of an existing outcome group, found `sped`\n"
            "    hint: did you mean `speed`?",
        ),
        (
            "outcomes: [happiness]\n",
            ":12: expected the id of an existing outcome group, found `happiness`\n"
            "    hint: add kb/outcomes/happiness.yaml or fix the id",
        ),
        ("outcomes: []\n", ":11: expected at least 1 item, found 0"),
        (
            "outcomes: [Speed]\n",
            ":12: expected the id of an outcome group, found 'Speed'\n    hint: try `speed`",
        ),
    ],
)
def test_bad_outcome_references_are_reported_exactly(kb_copy, outcomes_line, message):
    text = _benefit(outcomes_line)
    kb_dir = kb_copy({"benefits/faster-things.yaml": text})
    with pytest.raises(KBError) as raised:
        check_kb(kb_dir, kb_dir.parent)
    line = _line_of(text, "outcomes:")
    assert str(raised.value) == f"{B}:{line}{message}\n1 error in 1 file"


def test_a_finding_without_outcome_groups_is_told_to_choose_them(kb_copy):
    kb_dir = kb_copy({"benefits/faster-things.yaml": _benefit("")})
    with pytest.raises(KBError) as raised:
        check_kb(kb_dir, kb_dir.parent)
    assert str(raised.value) == (
        f"{B}:1:1: expected field `outcomes` in this benefit, found none\n"
        "    hint: add `outcomes:` to the benefit\n1 error in 1 file"
    )


def test_an_earlier_version_without_outcome_groups_is_still_rated():
    """Versions of kb/ from before outcome groups existed stay readable for the changelog."""
    text = _benefit("")
    earlier = read_earlier_file(BY_NAME["benefit"], text.encode(), B, "faster-things")
    assert earlier.issues == ()
    assert earlier.entry is not None
    assert earlier.entry.outcomes  # a stand-in, never shown: ratings do not read it
