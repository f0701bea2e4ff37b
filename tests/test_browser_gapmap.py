"""The evidence and gap map in a real browser: filters, address, drill-down, keyboard,
downloads, layout at 1,280 and 390 px, the page without JavaScript, axe in light and dark.

Expected counts are worked out here from kb/ (not from the page's own code), so the script's
filtering is checked against an independent reading of the entries.
"""

from __future__ import annotations

import csv
import io
import struct
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from kbsite import gapmap, ratings
from kbsite.graph import build_graph
from test_browser import ANIMATIONS_DONE, AXE_VIOLATIONS, WCAG_TAGS, Visit, server  # noqa: F401

from conftest import real_kb

KB = real_kb()
GRAPH = build_graph(KB)
EVIDENCE = ratings.evaluate(KB)
MAP = gapmap.build_map(GRAPH, EVIDENCE)
PATH = "/evidence/"
STUDY_OF = {report: study for study in KB.studies for report in study.reports}

MARKS = """sel => [...document.querySelectorAll(sel + ' a.kb-gap__cell')].map(a => [
  a.dataset.cell, Number(a.dataset.studies), a.dataset.level, a.getAttribute('aria-label')])"""
TABLE = """() => [...document.querySelectorAll('.kb-gap__count')].map(s => [
  s.dataset.cell, Number(s.dataset.studies), s.dataset.level])"""


def expected(designs=None, kinds=None, reviews=None, link_kinds=None, facets=None):
    """Per cell: (studies, best level) when only the evidence passing these filters counts."""
    facets = facets or {}
    fields = {"stage": "project_stages", "deployment": "deployment", "sector": "sectors"}
    fields["learning"] = "learning"
    cells: dict[str, tuple[set[str], int, str]] = {}
    for finding in KB.findings:
        if any(v not in getattr(finding.context, fields[k]) for k, v in facets.items()):
            continue
        studies = {
            STUDY_OF[item.citation].id
            for item in finding.evidence
            if (designs is None or STUDY_OF[item.citation].design in designs)
            and (kinds is None or STUDY_OF[item.citation].kind in kinds)
            and (reviews is None or STUDY_OF[item.citation].peer_reviewed in reviews)
            and (link_kinds is None or item.link in link_kinds)
        }
        if not studies:
            continue
        level = EVIDENCE.ratings[finding.id].level
        for row in finding.principles or ["mlops"]:
            for outcome in finding.outcomes:
                key = gapmap.cell_key(row, outcome, finding.type)
                found, rank, best = cells.get(key, (set(), -1, ""))
                if level.rank > rank:
                    rank, best = level.rank, level.value
                cells[key] = (found | studies, rank, best)
    every = {cell.key: (0, "") for cell in MAP.cells.values()}
    return every | {key: (len(s), best) for key, (s, _, best) in cells.items()}


def shown(page, selector=".kb-gap__drawing--wide") -> dict[str, tuple[int, str]]:
    return {key: (n, level) for key, n, level, _ in page.evaluate(MARKS, selector)}


@pytest.fixture(scope="module")
def wide(browser, server) -> Iterator[Visit]:  # noqa: F811 - the fixture imported above
    """One page load at 1,280 px shared by the tests that only change the filters."""
    session = Visit(browser, server, viewport={"width": 1280, "height": 900})
    session.goto(PATH)
    yield session
    session.close()


def _reset(page) -> None:
    page.locator("#kb-gap-reset").click()
    page.locator("#kb-gap-detail").evaluate("d => { d.hidden = true; }")


def test_the_drawn_map_has_every_cell_as_the_build_counted_it(wide):
    page = wide.page
    _reset(page)
    assert shown(page) == expected()
    names = {key: name for key, _, _, name in page.evaluate(MARKS, ".kb-gap__drawing--wide")}
    assert names == {cell.key: cell.name for cell in MAP.cells.values()}
    status = page.locator("#kb-gap-status").inner_text()
    assert status.startswith(f"Showing {len(KB.findings)} of {len(KB.findings)} findings")
    assert wide.errors == []
    assert wide.outside == []


def test_without_javascript_the_table_and_the_map_give_the_same_counts(browser, server):  # noqa: F811
    session = Visit(browser, server, java_script_enabled=False)
    try:
        page = session.goto(PATH)
        table = {key: (n, level) for key, n, level in page.evaluate(TABLE)}
        assert table == expected()
        assert shown(page, ".kb-gap__drawing--narrow") == table  # the build's own drawing
        assert page.locator("#kb-gap-form").is_hidden()
        # Each cell of the table links its findings' pages.
        for cell in MAP.cells.values():
            for finding in cell.findings:
                href = f"../{finding.type}s/{finding.id}/"
                assert page.locator(f'td a[href="{href}"]').count() >= 1
        # A mark without the script leads to its row of the table.
        cell = next(c for c in MAP.cells.values() if c.findings)
        mark = page.locator(f'.kb-gap__drawing--narrow a[data-cell="{cell.key}"]')
        assert mark.get_attribute("href") == f"#{cell.row.key}--{cell.outcome.id}"
    finally:
        session.close()


USED_DESIGNS = {s.design for f in KB.findings for s in EVIDENCE.studies_of(f)}
"""The designs the filter offers: those of studies behind some finding."""


def _some_design_that_changes_counts() -> str:
    return next(
        d for d in sorted(USED_DESIGNS) if expected(designs=USED_DESIGNS - {d}) != expected()
    )


def test_filters_change_the_counts_and_the_address_keeps_them(wide, browser, server):  # noqa: F811
    page = wide.page
    _reset(page)
    design = _some_design_that_changes_counts()
    page.locator(f"#kb-gap-design-{design}").uncheck()
    others = {s.design for s in KB.studies} - {design}
    assert shown(page) == expected(designs=others)
    query = parse_qs(urlparse(page.url).query)
    assert set(query["design"][0].split(",")) == USED_DESIGNS - {design}
    # Peer review and the link kinds narrow it further.
    page.locator("#kb-gap-review-no").uncheck()
    page.locator("#kb-gap-link-inferred").uncheck()
    narrowed = expected(designs=others, reviews={True}, link_kinds={"stated", "cross-cutting"})
    assert shown(page) == narrowed
    # The address opens the same view in a new page (a shared link).
    address = page.url
    other = Visit(browser, server, viewport={"width": 1280, "height": 900})
    try:
        other.page.goto(address, wait_until="load")
        assert shown(other.page) == narrowed
        assert not other.page.locator(f"#kb-gap-design-{design}").is_checked()
        assert not other.page.locator("#kb-gap-review-no").is_checked()
    finally:
        other.close()
    _reset(page)
    assert "design=" not in page.url
    assert shown(page) == expected()


def test_a_context_facet_keeps_the_findings_that_name_it(wide):
    page = wide.page
    _reset(page)
    selects = page.locator("#kb-gap-form select")
    assert selects.count() >= 1
    facet = selects.first.get_attribute("name")
    value = selects.first.locator("option").nth(1).get_attribute("value")
    selects.first.select_option(value)
    assert shown(page) == expected(facets={facet: value})
    assert parse_qs(urlparse(page.url).query)[facet] == [value]
    _reset(page)


def _fullest_cell() -> gapmap.Cell:
    return max(MAP.cells.values(), key=lambda c: (len(c.findings), len(c.studies), c.key))


def test_drill_down_lists_the_findings_and_studies_of_a_cell(wide):
    page = wide.page
    _reset(page)
    cell = _fullest_cell()
    page.locator(f'.kb-gap__drawing--wide a[data-cell="{cell.key}"]').click()
    detail = page.locator("#kb-gap-detail")
    assert detail.is_visible()
    assert detail.locator("h2").inner_text() == cell.name
    findings = detail.locator("ul").first.locator("li > a")
    assert findings.all_inner_texts() == [f.title for f in cell.findings]
    hrefs = findings.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [f"../{f.type}s/{f.id}/" for f in cell.findings]
    for finding, item in zip(
        cell.findings, detail.locator("ul").first.locator("li").all(), strict=True
    ):
        assert item.inner_text().endswith(EVIDENCE.ratings[finding.id].level.value)
    studies = detail.locator("ul").nth(1).locator("li > a")
    assert studies.evaluate_all("ls => ls.map(a => a.getAttribute('href'))") == [
        f"../studies/{s}/" for s in cell.studies
    ]
    detail.get_by_role("button", name="Back to the map").click()
    assert detail.is_hidden()


def test_the_map_works_from_the_keyboard(wide):
    page = wide.page
    _reset(page)
    cell = _fullest_cell()
    mark = page.locator(f'.kb-gap__drawing--wide a[data-cell="{cell.key}"]')
    mark.focus()
    page.keyboard.press("Enter")
    detail = page.locator("#kb-gap-detail")
    assert detail.is_visible()
    assert page.evaluate("document.activeElement.id") == "kb-gap-detail"
    page.keyboard.press("Escape")
    assert detail.is_hidden()
    assert page.evaluate("document.activeElement.dataset.cell") == cell.key
    # Arrow keys move between neighbouring cells.
    page.keyboard.press("ArrowRight" if cell.side == "benefit" else "ArrowLeft")
    other = "limitation" if cell.side == "benefit" else "benefit"
    assert page.evaluate("document.activeElement.dataset.cell") == gapmap.cell_key(
        cell.row.key, cell.outcome.id, other
    )
    page.keyboard.press("ArrowDown" if cell.row.key != MAP.rows[-1].key else "ArrowUp")
    moved = page.evaluate("document.activeElement.dataset.cell")
    assert moved.split("--")[1:] == [cell.outcome.id, other]
    assert moved.split("--")[0] != cell.row.key
    # One mark is in the tab order: Tab leaves the map, Shift+Tab comes back to that mark.
    page.keyboard.press("Tab")
    assert not page.evaluate("document.activeElement.classList.contains('kb-gap__cell')")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.dataset.cell") == moved


def test_downloads_give_the_current_view_as_csv_svg_and_png(wide):
    page = wide.page
    _reset(page)
    design = _some_design_that_changes_counts()
    page.locator(f"#kb-gap-design-{design}").uncheck()
    view = expected(designs={s.design for s in KB.studies} - {design})
    with page.expect_download() as download:
        page.locator("#kb-gap-csv").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(MAP.cells)
    labels = {
        (r.label, o.title, side): gapmap.cell_key(r.key, o.id, side)
        for r in MAP.rows
        for o in MAP.outcomes
        for side in gapmap.SIDES
    }
    for row in rows:
        key = labels[(row["principle"], row["outcome_group"], row["side"])]
        assert (int(row["studies"]), row["best_confidence"]) == view[key]
    with page.expect_download() as download:
        page.locator("#kb-gap-svg").click()
    svg = ET.fromstring(Path(download.value.path()).read_bytes())
    marks = {
        a.get("data-cell"): int(a.get("data-studies"))
        for a in svg.iter("{http://www.w3.org/2000/svg}a")
        if a.get("data-cell")
    }
    assert marks == {key: n for key, (n, _) in view.items()}
    with page.expect_download() as download:
        page.locator("#kb-gap-png").click()
    header = Path(download.value.path()).read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert width > 1000
    assert height > 300
    _reset(page)
    assert wide.errors == []
    assert wide.outside == []


# ---------------------------------------------------------------------------------------------
# Layout: no column cut at 1,280 or 390 px, text readable

GEOMETRY = """sel => {
  const svg = document.querySelector(sel + ' svg');
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim());
  const marks = [...svg.querySelectorAll('a.kb-gap__cell rect')]
    .map(r => r.getBoundingClientRect());
  return {visible: box.width > 0, left: box.left, right: box.right, width: innerWidth,
          smallest: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize) * scale)),
          outside: marks.filter(m => m.left < -0.5 || m.right > innerWidth + 0.5).length,
          headings: [...svg.querySelectorAll('.kb-gap__heading')].map(h => {
            const b = h.getBoundingClientRect(); return [b.left, b.right]; }),
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
}"""


def _shown_whole(page, shown: str, hidden: str) -> dict:
    """The geometry of the drawing a screen shows, checked: inside the page, nothing cut, one
    heading per outcome group (a column, or a panel), text at least 12 px; the other hidden."""
    facts = page.evaluate(GEOMETRY, shown)
    assert facts["visible"]
    assert page.evaluate(GEOMETRY, hidden)["visible"] is False
    assert facts["left"] >= 0
    assert facts["right"] <= facts["width"]
    assert facts["outside"] == 0
    assert len(facts["headings"]) == len(MAP.outcomes)
    assert facts["smallest"] >= 12
    assert facts["overflow"] <= 1
    return facts


def test_at_1280_pixels_the_whole_grid_shows_with_readable_text(wide, tmp_path):
    page = wide.page
    _reset(page)
    page.locator("#kb-gap").scroll_into_view_if_needed()
    facts = _shown_whole(page, ".kb-gap__drawing--wide", ".kb-gap__drawing--narrow")
    assert all(left >= 0 and right <= facts["width"] for left, right in facts["headings"])
    page.locator(".kb-gap__drawing--wide").screenshot(path=str(tmp_path / "map-1280.png"))


def _phone(browser, server) -> Visit:  # noqa: F811
    """A visit as a 390-pixel phone makes it (the narrow layout's screen)."""
    return Visit(
        browser,
        server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


def test_on_a_390_pixel_phone_every_panel_fits_with_its_headings(browser, server, tmp_path):  # noqa: F811
    session = _phone(browser, server)
    try:
        page = session.goto(PATH)
        _shown_whole(page, ".kb-gap__drawing--narrow", ".kb-gap__drawing--wide")
        # Each panel repeats the row labels, so a mark never loses its row.
        labels = page.locator(".kb-gap__drawing--narrow .kb-gap__rowlabel").count()
        assert labels == len(MAP.rows) * len(MAP.outcomes)
        page.screenshot(path=str(tmp_path / "map-390.png"))
        assert session.errors == []
        assert session.outside == []
    finally:
        session.close()


RENDERED = "sel => document.querySelector(sel).checkVisibility({contentVisibilityAuto: true})"
TABLE_HEIGHT = "() => document.querySelector('.kb-gap__cells').getBoundingClientRect().height"
SIZES = """sel => { const box = document.querySelector(sel).getBoundingClientRect();
  const svg = document.querySelector(sel + ' svg').getBoundingClientRect();
  return [box.width, box.height, svg.width, svg.height]; }"""
SCROLLWRAP = """() => { const w = document.querySelector('.kb-gap__cells .md-typeset__scrollwrap');
  return [w.scrollWidth > w.clientWidth, w.getAttribute('tabindex')]; }"""


def test_on_a_phone_what_is_far_below_the_screen_is_rendered_only_when_near(browser, server):  # noqa: F811
    """Page load lays out only what is near the screen (the Lighthouse mobile budget of issue
    15): the table of every cell is skipped until the reader scrolls to it, the wide drawing
    is not displayed, and the drawing shown fills its box exactly (the page does not move)."""
    session = _phone(browser, server)
    try:
        page = session.goto(PATH)
        cell = ".kb-gap__cells td"
        assert page.evaluate(RENDERED, cell) is False
        wide = page.locator(".kb-gap__drawing--wide")
        assert wide.evaluate("e => getComputedStyle(e).display") == "none"
        box_w, box_h, svg_w, svg_h = page.evaluate(SIZES, ".kb-gap__drawing--narrow")
        assert svg_h > 0
        assert abs(box_w - svg_w) <= 1
        assert abs(box_h - svg_h) <= 1
        estimated = page.evaluate(TABLE_HEIGHT)
        page.locator("h2#cells").scroll_into_view_if_needed()
        page.wait_for_function(f"() => ({RENDERED})({cell!r})", timeout=5000)
        assert page.evaluate(TABLE_HEIGHT) <= estimated, "what follows overlapped the table"
        # Measured once rendered: a table that scrolls sideways is reachable by keyboard.
        page.wait_for_function(f"() => ({SCROLLWRAP})()[0] === false || ({SCROLLWRAP})()[1]")
        scrolls, tabindex = page.evaluate(SCROLLWRAP)
        assert tabindex == ("0" if scrolls else None)
        assert session.errors == []
    finally:
        session.close()


def test_on_a_desktop_the_table_is_given_room_enough_before_it_is_rendered(browser, server):  # noqa: F811
    """Until it is near the screen the table's height is the stylesheet's estimate from the
    build's counts: too low, the footer would sit on top of the table's place, and links
    would overlap for any tool that measures the page then (Lighthouse's target size did)."""
    session = Visit(browser, server, viewport={"width": 1280, "height": 900})
    try:
        page = session.goto(PATH)
        assert page.evaluate(RENDERED, ".kb-gap__cells td") is False
        estimated = page.evaluate(TABLE_HEIGHT)
        page.locator("h2#cells").scroll_into_view_if_needed()
        page.wait_for_function(f"() => ({RENDERED})('.kb-gap__cells td')", timeout=5000)
        assert 0 < page.evaluate(TABLE_HEIGHT) <= estimated
    finally:
        session.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_map_with_a_cell_open_passes_axe(browser, server, scheme):  # noqa: F811
    """Every rule, on a first visit that follows the system's light or dark preference."""
    session = Visit(
        browser, server, axe=True, color_scheme=scheme, viewport={"width": 1280, "height": 900}
    )
    try:
        page = session.goto(PATH)
        theme = page.locator("body").get_attribute("data-md-color-scheme")
        assert theme == {"light": "default", "dark": "slate"}[scheme]
        page.wait_for_function(ANIMATIONS_DONE, timeout=5000)
        cell = _fullest_cell()
        page.locator(f'.kb-gap__drawing--wide a[data-cell="{cell.key}"]').click()
        assert page.evaluate(AXE_VIOLATIONS, WCAG_TAGS) == []
        assert session.errors == []
        assert session.outside == []
    finally:
        session.close()
