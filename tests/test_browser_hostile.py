"""The site built from the hostile corpus, in a real browser (Debian's Chromium via Playwright).

Every page that shows hostile text is opened, the guide is answered and the search is used
with payloads: no dialog may open, no request may leave 127.0.0.1, and the live DOM (after
the theme's and the site's scripts ran) may carry no event-handler attribute.
"""

from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api as playwright_api

from kbsite import check_kb, ratings
from kbsite.guides import build_tables

from conftest import CONTEXT_OPTIONS
from hostile_corpus import HOSTILE_PREFIX, hostile_site

# XPath over every attribute of the document, evaluated natively (a script walking every
# element's attributes costs each page a tenth of a second).
HANDLER_ATTRIBUTES = """() => {
  const found = document.evaluate(
    "//@*[starts-with(translate(name(), 'ON', 'on'), 'on')]", document, null,
    XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
  return Array.from({length: found.snapshotLength}, (_, i) => found.snapshotItem(i))
    .map(a => a.ownerElement.tagName + ' ' + a.name + '=' + a.value);
}"""
SCRIPT_URLS = """() => {
  const found = document.evaluate(
    "//@href | //@src | //@action | //@formaction | //@*[local-name() = 'href']", document, null,
    XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
  return Array.from({length: found.snapshotLength}, (_, i) => found.snapshotItem(i).value)
    .filter(v => /^\\s*(javascript|data|vbscript):/i.test(v));
}"""

FIRE_EVENTS = """() => { for (const element of document.querySelectorAll('article *')) {
    for (const name of ['mouseover', 'mouseenter', 'focus', 'focusin', 'error', 'load',
                        'animationstart', 'pointerover']) {
      element.dispatchEvent(new Event(name, {bubbles: true}));
    } } }"""


SEARCH_SETTLED = """() => {
  const shown = document.querySelector('.md-search-result__meta').textContent + '|' +
    document.querySelectorAll('.md-search-result__item').length;
  const state = window.__kbSearchState || (window.__kbSearchState = {shown: null, since: 0});
  const now = performance.now();
  if (shown !== state.shown) { state.shown = shown; state.since = now; return false; }
  return now - state.since >= 400;
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[tuple[str, Path]]:
    site = hostile_site()[0]
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", site
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def page(
    browser, hostile_server
) -> Iterator[tuple[playwright_api.Page, dict[str, list[str]], str]]:
    server, _ = hostile_server
    seen: dict[str, list[str]] = {"dialogs": [], "outside": [], "errors": []}
    # The session's one Playwright and Chromium (conftest `browser`).
    context = browser.new_context(**CONTEXT_OPTIONS)

    def on_request(request: playwright_api.Request) -> None:
        # Chromium resolves no host name (conftest CHROMIUM_ARGS): an outside request fails.
        if not request.url.startswith((server + "/", "data:", "blob:", "about:")):
            seen["outside"].append(request.url)

    context.on("request", on_request)
    tab = context.new_page()

    def on_dialog(dialog: playwright_api.Dialog) -> None:
        seen["dialogs"].append(f"{tab.url}: {dialog.type} {dialog.message}")
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.on("pageerror", lambda error: seen["errors"].append(f"{tab.url}: {error}"))
    yield tab, seen, server
    context.close()


def _hostile_paths(site: Path) -> list[str]:
    paths = sorted(
        {
            "/" + p.parent.relative_to(site).as_posix() + "/"
            for p in site.glob(f"*/{HOSTILE_PREFIX}*/index.html")
        }
    )
    principles = sorted(
        "/" + p.parent.relative_to(site).as_posix() + "/"
        for p in site.glob("principles/*/index.html")
    )  # each with the relationship map of its findings, hostile ones among them
    studies = ",".join(f"{HOSTILE_PREFIX}source-{index}-study" for index in range(4))
    return [
        *paths,
        *principles,
        f"/evidence/compare/?studies={studies}",
        "/benefits/",
        "/limitations/",
        "/citations/",
        "/evidence/",
        "/evidence/gaps/",
        "/evidence/cross-cutting/",
        "/guides/",
        "/",
        "/principles/",
        "/tags/",
        "/about/changelog/",
    ]


def _check(tab: playwright_api.Page, where: str) -> None:
    assert tab.evaluate(HANDLER_ATTRIBUTES) == [], where
    assert tab.evaluate(SCRIPT_URLS) == [], where


def test_hostile_pages_open_no_dialog_and_make_no_outside_request(page, hostile_server):
    tab, seen, server = page
    _, site = hostile_server
    paths = _hostile_paths(site)
    assert len(paths) > 40
    for path in paths:
        tab.goto(server + path, wait_until="load")
        _check(tab, path)
        # Fire the events an injected handler would wait for, on every element of the page.
        tab.evaluate(FIRE_EVENTS)
    assert seen["dialogs"] == []
    assert seen["outside"] == []
    assert seen["errors"] == []


def _hostile_table(site: Path):
    project = site.parent / "project"
    kb = check_kb(project / "kb", project)
    return build_tables(kb, ratings.evaluate(kb).ratings)[f"{HOSTILE_PREFIX}guide"]


def test_guide_results_and_search_results_stay_inert(page, hostile_server):
    tab, seen, server = page
    table = _hostile_table(hostile_server[1])
    # The first question is `constructor`, its options `constructor` and `prototype`.
    answers = {q.id: q.options[-1].id for q in table.guide.questions}
    assert next(iter(answers.items())) == ("constructor", "prototype")
    tab.goto(f"{server}/guides/{HOSTILE_PREFIX}guide/", wait_until="load")
    for fieldset in tab.locator("fieldset").all():
        fieldset.locator("input").last.check()
    tab.wait_for_selector("#kb-guide-result article")
    _check(tab, "guide result")
    expected = [
        [subject, rec.level, "evidence" if rec.by_evidence else "judgement"]
        for subject, rec in table.recommendations(answers).items()
    ]
    shown = tab.evaluate("answers => window.kbGuide.outcome(answers)", answers)
    assert shown["subjects"] == expected
    levels = tab.locator("#kb-guide-result article[data-subject]").evaluate_all(
        "rows => rows.map(r => [r.dataset.subject, r.dataset.level, r.dataset.basis])"
    )
    assert levels == expected
    # Answers that name object properties, in the address, open the same result...
    query = "&".join(f"{q}={o}" for q, o in answers.items())
    tab.goto(f"{server}/guides/{HOSTILE_PREFIX}guide/?{query}", wait_until="load")
    tab.wait_for_selector("#kb-guide-result article")
    assert tab.evaluate("answers => window.kbGuide.outcome(answers)", answers) == shown
    # ...and ones the guide does not know are ignored, not looked up on an object.
    tab.goto(
        f"{server}/guides/{HOSTILE_PREFIX}guide/?constructor=__proto__&__proto__=x",
        wait_until="load",
    )
    assert tab.locator("#kb-guide-form input:checked").count() == 0
    unknown = "a => window.kbGuide.outcome(Object.assign({}, a, {constructor: 'toString'}))"
    assert tab.evaluate(unknown, answers) is None
    shown = {}
    for query in ("onclick", "onmouseover", "javascript", "evil", "img"):
        tab.goto(f"{server}/", wait_until="load")
        box = tab.locator("input[data-md-component=search-query]")
        box.click()
        box.press_sequentially(query, delay=15)
        tab.wait_for_function(
            "() => /matching/.test(document.querySelector('.md-search-result__meta').textContent)"
        )
        # The worker answers each keystroke in turn (and a busy machine answers late): read the
        # results once they have stopped changing, not the answer to a prefix of the query.
        tab.evaluate("window.__kbSearchState = null")
        tab.wait_for_function(SEARCH_SETTLED, polling=100, timeout=10_000)
        shown[query] = tab.locator(".md-search-result__item").count()
        if shown[query]:
            tab.locator(".md-search-result__item").first.hover(force=True)
        _check(tab, f"search for {query}")
    assert sum(shown.values()) > 0, shown
    assert seen["dialogs"] == []
    assert seen["outside"] == []
    assert seen["errors"] == []


def test_comparison_of_hostile_studies_and_its_csv_keep_the_text_as_text(page):
    tab, seen, server = page
    ids = [f"{HOSTILE_PREFIX}source-{index}-study" for index in range(4)]
    tab.goto(f"{server}/evidence/compare/?studies={','.join(ids)}", wait_until="load")
    tab.wait_for_selector("#kb-compare-table")
    _check(tab, "comparison")
    data = json.loads(tab.locator("#kb-compare-data").text_content())
    studies = {study["id"]: study for study in data["studies"]}
    headers = tab.locator("#kb-compare-table thead th a").all_text_contents()
    assert headers == [studies[study]["label"] for study in ids]
    populations = tab.locator("#kb-compare-table tbody tr").nth(3).locator("td")
    assert populations.all_text_contents() == [studies[study]["population"] for study in ids]
    with tab.expect_download() as download:
        tab.locator("#kb-compare-csv").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [row[3:] for row in rows[:2]] == [[studies[s]["label"] for s in ids], ids]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert tab.evaluate("window.kbCompare.csvCell('=HYPERLINK(\"x\")')") == '"\'=HYPERLINK(""x"")"'
    assert seen["dialogs"] == []
    assert seen["outside"] == []
    assert seen["errors"] == []


def test_gap_map_of_hostile_outcome_groups_keeps_their_text_as_text(page):
    tab, seen, server = page
    tab.goto(f"{server}/evidence/", wait_until="load")
    _check(tab, "gap map")
    data = json.loads(tab.locator("#kb-gap-data").text_content())
    hostile = [o for o in data["outcomes"] if o["id"].startswith(HOSTILE_PREFIX)]
    assert hostile
    # The column headings show each hostile title as written (one line of each drawing).
    headings = tab.locator(".kb-gap__drawing--wide .kb-gap__heading").evaluate_all(
        "hs => hs.map(h => [...h.querySelectorAll('tspan')].map(t => t.textContent).join(' '))"
    )
    squeezed = ["".join(h.split()) for h in headings]  # lines break at spaces or in words
    for outcome in hostile:
        assert "".join(outcome["title"].split()) in squeezed
    # A hostile cell's drill-down shows titles as text, and its links go where the data says.
    _, finding = next((k, f) for k, f in data["findings"].items() if k.startswith(HOSTILE_PREFIX))
    key = f"{finding['rows'][0]}--{finding['outcomes'][0]}--{finding['type']}"
    tab.locator(f'.kb-gap__drawing--wide a[data-cell="{key}"]').click()
    detail = tab.locator("#kb-gap-detail")
    assert finding["title"] in detail.locator("li > a").all_text_contents()
    _check(tab, "gap map drill-down")
    with tab.expect_download() as download:
        tab.locator("#kb-gap-csv").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) > 1
    assert all(
        not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row
    )
    titles = {row[1] for row in rows[1:]}
    assert any(t.startswith("'") for t in titles)  # a hostile title began like a formula
    assert tab.evaluate("window.kbGapMap.csvCell('=1+1')") == "'=1+1"
    assert tab.evaluate("window.kbGapMap.csvCell('-2, \"x\"')") == '"\'-2, ""x"""'
    with tab.expect_download() as download:
        tab.locator("#kb-gap-svg").click()
    svg = ET.fromstring(Path(download.value.path()).read_bytes())  # well-formed, still inert
    assert not [
        (e.tag, name)
        for e in svg.iter()
        for name in e.attrib
        if name.lower().startswith("on") or "script" in e.tag
    ]
    assert seen["dialogs"] == []
    assert seen["outside"] == []
    assert seen["errors"] == []


def test_the_checks_find_handlers_and_script_addresses_wherever_they_are(browser, hostile_server):
    """The control: what _check looks for, planted in HTML and SVG, is found.

    In a tab of its own: the planted SVG image asks for its `javascript:` address, and the
    shared tab would record that request in the other tests' `outside` list.
    """
    server, _ = hostile_server
    context = browser.new_context(**CONTEXT_OPTIONS)
    try:
        tab = context.new_page()
        tab.goto(f"{server}/404.html", wait_until="load")
        tab.evaluate(
            """() => document.body.insertAdjacentHTML('beforeend',
              '<div OnClick="1"></div><svg><a href="data:text/html,1" onfocusin="2"></a>' +
              '<image href=" javascript:3"></image></svg><form action="vbscript:4"></form>')"""
        )
        handlers = tab.evaluate(HANDLER_ATTRIBUTES)
        assert sorted(h.split(" ", 1)[1] for h in handlers) == ["onclick=1", "onfocusin=2"]
        assert sorted(tab.evaluate(SCRIPT_URLS)) == [
            " javascript:3",
            "data:text/html,1",
            "vbscript:4",
        ]
    finally:
        context.close()
