"""The built site in a real browser: Debian's Chromium driven by Playwright, served on 127.0.0.1.

Every request to any other host is recorded and aborted, so a page that tried to reach the
outside world fails the test that visited it.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import axe_playwright_python
import pytest

from kbsite.graph import build_graph, principle_order

from conftest import REPO, real_kb

AXE = Path(axe_playwright_python.__file__).parent / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = REPO / "docs" / "assets" / "screenshots"


PUBLISHED_URL = re.search(
    r"^\s*published_url:\s*(\S+)", (REPO / "mkdocs.yml").read_text(encoding="utf-8"), re.M
).group(1)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site quietly, answering missing pages with its 404.html as hosts do."""

    def log_message(self, *args: object) -> None:
        pass

    def translate_path(self, path: str) -> str:
        # The site is published under a path (extra.published_url); 404.html links there
        # absolutely. Serve that path too, as the host does.
        prefix = "/" + urlparse(PUBLISHED_URL).path.strip("/") + "/"
        if prefix != "//" and path.startswith(prefix):
            path = "/" + path.removeprefix(prefix)
        return super().translate_path(path)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.exists():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="session")
def server(built_site: Path) -> Iterator[str]:
    """Serve the built site on an ephemeral port of 127.0.0.1."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class Visit:
    """A browser page that records console errors, failed requests and outside requests.

    `goto` waits until the page has had no request in flight for a moment: as strict as
    Playwright's `networkidle` about late requests, without its fixed half-second per page.
    """

    QUIET_SECONDS = 0.1

    def __init__(self, browser, server: str, *, axe: bool = True, **context_options) -> None:
        self.server = server
        self.context = browser.new_context(**context_options)
        # axe ready on every page, sent once; only where it runs (parsing it costs each page
        # a tenth of a second)
        if axe:
            self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.in_flight: set[object] = set()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", self._failed)
        self.page.on(
            "response",
            lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        self.context.on("request", lambda r: self.in_flight.add(r))
        self.context.on("requestfinished", lambda r: self.in_flight.discard(r))
        self.context.on("requestfailed", lambda r: self.in_flight.discard(r))
        self.context.route("**/*", self._route)

    def _failed(self, request) -> None:
        # A request the browser itself starts late (the favicon) is cancelled, not failed, when
        # the test moves to the next page; a missing file is a 404 and recorded as one.
        if request.url.startswith(self.server) and request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.failure} {request.url}")

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith((self.server, "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def settle(self, timeout: float = 15.0) -> None:
        """Wait until no request has been in flight for QUIET_SECONDS."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            now = time.monotonic()
            if self.in_flight:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= self.QUIET_SECONDS:
                return
            self.page.wait_for_timeout(20)
        pytest.fail(f"requests still in flight after {timeout}s: {self.in_flight}")

    def goto(self, path: str):
        self.page.goto(self.server + path, wait_until="load")
        self.settle()
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, server) -> Iterator[Visit]:
    session = Visit(browser, server)
    yield session
    session.close()


def site_pages(site: Path) -> list[str]:
    """URL paths of every HTML page of the built site."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        pages.append("/" + relative.removesuffix("index.html"))
    return pages


# Expectations come from kb/, so that adding or rewording an entry never breaks a test.
KB = real_kb()
GRAPH = build_graph(KB)
GUIDES = KB.guides


def _url(folder: str, entry_id: str) -> str:
    return f"/{folder}/{entry_id}/"


def _guide_url(guide, answers: dict[str, str]) -> str:
    query = "&".join(f"{question}={option}" for question, option in answers.items())
    return f"/guides/{guide.id}/?{query}"


def _first_answers(guide) -> dict[str, str]:
    return {question.id: question.options[0].id for question in guide.questions}


PAGE_TYPES = {
    "home": "/",
    "principle": _url("principles", KB.principles[0].id),
    "principles index": "/principles/",
    "citations index": "/citations/",
    "evidence matrix": "/evidence/",
    "evidence gaps": "/evidence/gaps/",
    "relationship map": "/evidence/map/",
    "cross-cutting": "/evidence/cross-cutting/",
    "tags": "/tags/",
    "performance": "/about/performance/",
    "not found": "/404.html",
    "guides index": "/guides/",
    "about": "/about/",
    "reading the evidence": "/about/reading-evidence/",
    "study": "/studies/shankar-2024-study/",
    "studies index": "/studies/",
    "tensions": "/evidence/tensions/",
    "how confidence is rated": "/evidence/confidence/",
    "data downloads": "/evidence/data/",
    "benefit with a tension": "/benefits/better-team-collaboration/",
}
for _name, _entries, _folder in (
    ("benefit", KB.benefits, "benefits"),
    ("limitation", KB.limitations, "limitations"),
    ("citation", KB.citations, "citations"),
):
    if _entries:
        PAGE_TYPES[_name] = _url(_folder, _entries[0].id)
if GUIDES:
    PAGE_TYPES["guide with a result"] = _guide_url(GUIDES[0], _first_answers(GUIDES[0]))
    PAGE_TYPES["guide without answers"] = f"/guides/{GUIDES[-1].id}/"


# ---------------------------------------------------------------------------------------------
# Every page, privacy


# The pages are split into shards, so that `pytest -n` spreads them over the cores.
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_page_loads_cleanly_and_stays_on_this_host(browser, server, built_site, shard):
    pages = site_pages(built_site)
    assert len(pages) >= SHARDS
    session = Visit(browser, server, axe=False)
    hosts = set()
    session.page.on("request", lambda r: hosts.add(urlparse(r.url).hostname))
    problems = []
    try:
        for path in pages[shard::SHARDS]:
            session.errors.clear()
            session.failed.clear()
            session.goto(path)
            if session.errors or session.failed:
                problems.append((path, session.errors[:], session.failed[:]))
    finally:
        session.close()
    assert problems == []
    assert session.outside == []
    assert hosts <= {"127.0.0.1", None}


# ---------------------------------------------------------------------------------------------
# Reader journeys


def _journey():
    """A principle, one of its findings, and a source of it with a DOI and a unique label."""
    labels = [c.short_label for c in KB.citations]
    for principle in KB.principles:
        for finding in GRAPH.findings_of_principle[principle.id]:
            for item in finding.evidence:
                citation = GRAPH.citations[item.citation]
                if citation.doi and labels.count(citation.short_label) == 1:
                    return principle, finding, citation
    return None


def test_reader_reaches_principle_evidence_citation_and_bibtex_in_clicks(visit):
    journey = _journey()
    assert journey, "no principle leads to a finding whose source has a DOI"
    principle, finding, citation = journey
    page = visit.goto("/")
    page.get_by_role("link", name="Principles", exact=True).first.click()
    page.get_by_role("link", name=principle.label, exact=True).first.click()
    assert page.get_by_role("heading", level=1).inner_text().rstrip("¶") == principle.label
    content = page.locator(".md-content")
    content.get_by_role("link", name=finding.title, exact=True).first.click()
    assert page.url.endswith(_url(f"{finding.type}s", finding.id))
    page.locator(".md-content").get_by_role(
        "link", name=citation.short_label, exact=True
    ).first.click()
    assert page.url.endswith(_url("citations", citation.id))
    doi = page.get_by_role("link", name=citation.doi, exact=True)
    assert doi.get_attribute("href") == f"https://doi.org/{citation.doi}"
    with page.expect_download() as download_info:
        # The download link, not Material's tab anchors of the same name.
        page.locator("a[download]").get_by_text("BibTeX", exact=True).click()
    bib = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert bib.startswith(f"@{citation.entry_type}{{{citation.id},")


@pytest.fixture(scope="module")
def search_page(browser, server) -> Iterator[Visit]:
    """One page for every search: the index loads once, each test types its own query."""
    session = Visit(browser, server, axe=False)
    session.goto("/")
    yield session
    session.close()


def _search(page, text: str) -> list[str]:
    box = page.locator("input[data-md-component=search-query]")
    box.click()
    box.fill("")
    box.press_sequentially(text, delay=15)
    page.wait_for_selector(".md-search-result__item")
    page.wait_for_function(
        "q => document.querySelector('input[data-md-component=search-query]').value === q", arg=text
    )
    return page.locator(".md-search-result__item h1").all_inner_texts()


SEARCHES = [(KB.principles[0].title, KB.principles[0].label)] + [
    (principle.aliases[0], principle.label) for principle in KB.principles if principle.aliases
]


@pytest.mark.parametrize(("query", "expected"), SEARCHES)
def test_search_finds_principles_by_title_and_alias(search_page, query, expected):
    page = search_page.page
    assert expected in _search(page, query)
    page.keyboard.press("Escape")
    assert search_page.errors == []


def _largest_tag() -> tuple[str, set[str]]:
    tag, entries = max(GRAPH.tags.items(), key=lambda item: (len(item[1]), item[0]))
    return tag, {
        e.label if hasattr(e, "label") else e.title for e in entries if e.id in GRAPH.entries
    }


def test_tag_page_lists_the_tagged_entries(visit):
    tag, expected = _largest_tag()
    page = visit.goto("/tags/")
    section = page.locator(f"[id='tag:{tag}'] + ul").first
    listed = set(section.locator("a").all_inner_texts())
    assert expected <= listed
    untagged = [p.label for p in KB.principles if tag not in p.tags]
    assert not listed & set(untagged)


def test_palette_toggle_switches_between_light_and_dark(visit):
    page = visit.goto(PAGE_TYPES["principle"])
    body = page.locator("body")
    before = body.get_attribute("data-md-color-scheme")
    page.locator("label[title='Switch to dark mode']").click()
    assert body.get_attribute("data-md-color-scheme") == "slate" != before
    page.reload()
    assert body.get_attribute("data-md-color-scheme") == "slate"
    page.locator("label[title='Switch to light mode']").click()
    assert body.get_attribute("data-md-color-scheme") == "default"


@pytest.fixture(scope="module")
def phone(browser, server) -> Iterator[Visit]:
    session = Visit(
        browser,
        server,
        axe=False,
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield session
    session.close()


@pytest.mark.parametrize(
    "path",
    sorted({"/", PAGE_TYPES["principle"], "/evidence/", PAGE_TYPES.get("citation", "/citations/")}),
)
def test_pages_fit_a_phone_screen(phone, path):
    phone.errors.clear()
    page = phone.goto(path)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    page.locator("label.md-header__button[for=__drawer]").click()
    assert page.locator(".md-nav--primary").first.is_visible()
    assert phone.errors == []


# ---------------------------------------------------------------------------------------------
# Accessibility


@pytest.fixture(scope="module")
def themed() -> Iterator[dict[str, Visit]]:
    """One browser context per colour scheme, shared by every page checked in it."""
    sessions: dict[str, Visit] = {}
    yield sessions
    for session in sessions.values():
        session.close()


# Every WCAG 2.1 A and AA rule runs; only violations are detailed and sent back, not the
# thousands of passing nodes (the same verdict, for a fraction of the time).
AXE_VIOLATIONS = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']})
  .then(result => result.violations.map(v => [v.id, v.impact,
                                              v.nodes.slice(0, 3).map(n => n.target)]))"""
# Material animates colours when the palette applies; axe must see the final colours.
ANIMATIONS_DONE = "() => document.getAnimations().every(a => a.playState !== 'running')"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_page_types_pass_axe_wcag_a_and_aa(browser, server, themed, name, scheme):
    # The palette follows the system preference on a first visit: the real path to dark mode.
    if scheme not in themed:
        themed[scheme] = Visit(browser, server, color_scheme=scheme)
    session = themed[scheme]
    session.errors.clear()
    page = session.goto(PAGE_TYPES[name])
    expected = "slate" if scheme == "dark" else "default"
    assert page.locator("body").get_attribute("data-md-color-scheme") == expected
    page.wait_for_function(ANIMATIONS_DONE, timeout=5000)
    violations = page.evaluate(AXE_VIOLATIONS, WCAG_TAGS)
    assert violations == []
    assert session.errors == []


def test_axe_check_reports_a_violation(visit):
    """The control: the same call finds a real violation, so a pass above means something."""
    page = visit.goto("/404.html")
    page.evaluate(
        "document.querySelector('.md-content').insertAdjacentHTML('beforeend', "
        '\'<img src="data:,"><a href="#x"></a>\')'
    )
    found = {rule for rule, _, _ in page.evaluate(AXE_VIOLATIONS, WCAG_TAGS)}
    assert {"image-alt", "link-name"} <= found


# ---------------------------------------------------------------------------------------------
# Decision guides

# Sets each combination's answers on the live form, as a reader's clicks would, and reads the
# result table and the address the page writes, all in one round trip.
EVERY_COMBINATION = """combinations => {
  const form = document.getElementById('kb-guide-form');
  const rows = () => Object.fromEntries(
    [...document.querySelectorAll('#kb-guide-result tr[data-subject]')].map(row => [
      row.getAttribute('data-subject'),
      [row.getAttribute('data-level'),
       row.getAttribute('data-because').split(',').filter(Boolean),
       row.getAttribute('data-judgement')]]));
  return combinations.map(answers => {
    let input = null;
    for (const [question, option] of Object.entries(answers)) {
      input = document.getElementById(`answer-${question}-${option}`);
      input.checked = true;
    }
    input.dispatchEvent(new Event('change', {bubbles: true}));
    return {rows: rows(), address: location.search};
  });
}"""


def _shown(page) -> dict[str, tuple]:
    rows = page.locator("#kb-guide-result tr[data-subject]")
    return {
        row.get_attribute("data-subject"): (
            row.get_attribute("data-level"),
            tuple(filter(None, row.get_attribute("data-because").split(","))),
            row.get_attribute("data-judgement"),
        )
        for row in rows.all()
    }


def _expected(guide, answers: dict[str, str]) -> dict[str, tuple]:
    from kbsite.guides import evaluate

    return {
        subject: (o.level, tuple(o.because), o.judgement)
        for subject, o in evaluate(guide, answers).items()
    }


@pytest.mark.parametrize("guide", GUIDES, ids=[g.id for g in GUIDES])
def test_page_and_python_agree_on_every_combination(visit, guide):
    from kbsite.guides import COMBINATION_LIMIT, combination_count, combinations

    assert combination_count(guide) <= COMBINATION_LIMIT  # small: every combination is checked
    every = list(combinations(guide))
    # The address carries the answers: a shared link opens the same result.
    for answers in (every[0], every[-1]):
        page = visit.goto(_guide_url(guide, answers))
        assert _shown(page) == _expected(guide, answers), answers
    shown = page.evaluate(EVERY_COMBINATION, every)
    for answers, result in zip(every, shown, strict=True):
        rows = {
            subject: (level, tuple(because), judgement)
            for subject, (level, because, judgement) in result["rows"].items()
        }
        assert rows == _expected(guide, answers), answers
        assert dict(parse_qsl(result["address"].lstrip("?"))) == answers
    assert visit.errors == []


def _keyboard_guide():
    """The first guide whose first-option answers lead to cited findings."""
    for guide in GUIDES:
        outcomes = _expected(guide, _first_answers(guide))
        cited = sorted(
            {
                c
                for level, because, _ in outcomes.values()
                for f in because
                for c in GRAPH.entries[f].citation_ids
            }
        )
        if cited:
            return guide, outcomes, cited
    return GUIDES[0], _expected(GUIDES[0], _first_answers(GUIDES[0])), []


def test_guide_works_with_the_keyboard_and_announces_results(visit):
    guide, outcomes, cited = _keyboard_guide()
    questions = guide.questions
    page = visit.goto(f"/guides/{guide.id}/")
    status = page.locator("#kb-guide-status")
    remaining = len(questions)
    assert status.inner_text().startswith(
        f"Answer {remaining} more question{'s' if remaining != 1 else ''}"
    )
    page.locator(f"#answer-{questions[0].id}-{questions[0].options[0].id}").focus()
    page.keyboard.press("Space")
    for question in questions[1:]:
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        assert page.evaluate("document.activeElement.name") == question.id
    assert status.inner_text().startswith("Recommendations updated:")
    assert f"{questions[0].id}={questions[0].options[0].id}" in page.url
    assert _shown(page) == outcomes
    if cited:
        with page.expect_download() as download_info:
            page.locator("#kb-guide-bibtex").click()
        bib = Path(download_info.value.path()).read_text(encoding="utf-8")
        for citation in cited:
            assert f"{{{citation}," in bib


def test_guide_reads_fully_without_javascript(browser, server):
    guide = GUIDES[0]
    subject = guide.subjects[0]
    levels = {level.id: level.label for level in guide.levels}
    reached = {levels[subject.default.level]} | {levels[r.outcome.level] for r in subject.rules}
    session = Visit(browser, server, axe=False, java_script_enabled=False)
    try:
        page = session.goto(f"/guides/{guide.id}/")
        assert not page.locator("#kb-guide-form").is_visible()
        assert page.get_by_role("heading", name="Every outcome").is_visible()
        table = page.locator(f"h3:has(a[href$='/{subject.subject}/']) + table").inner_text()
        assert all(label in table for label in reached), (reached, table)
        questions = page.locator(".md-content ol")
        for question in guide.questions:
            assert questions.get_by_text(question.text, exact=True).is_visible()
    finally:
        session.close()


# ---------------------------------------------------------------------------------------------
# First impression


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'s' if number != 1 else ''}"


def test_home_page_shows_trade_off_entry_points_and_principle_cards(visit):
    page = visit.goto("/")
    main = page.locator(".md-content")
    assert main.get_by_role("heading", name="The trade-off in one paragraph").is_visible()
    for entry_point in (
        "Open the decision guides",
        "Open the evidence matrix",
        "Open the citations",
    ):
        assert main.get_by_role("link", name=entry_point).is_visible()
    cards = main.locator(".grid.cards").nth(1).locator("li")
    assert cards.count() == len(KB.principles)
    for index, principle in enumerate(sorted(KB.principles, key=principle_order)):
        text = cards.nth(index).inner_text()
        assert principle.label in text
        assert (
            f"{_count(len(GRAPH.benefits_of(principle.id)), 'benefit')} · "
            f"{_count(len(GRAPH.limitations_of(principle.id)), 'limitation')}"
        ) in text
    trade_off = main.locator("h2:has-text('The trade-off in one paragraph') + p a")
    links = [trade_off.nth(i) for i in range(trade_off.count())]
    finding_links = [
        (link, link.get_attribute("href") or "")
        for link in links
        if any(
            (link.get_attribute("href") or "").rstrip("/").endswith(f"/{f.id}") for f in KB.findings
        )
    ]
    assert finding_links  # the paragraph links the findings it speaks of
    first, target = finding_links[0]
    first.click()
    assert page.url.endswith("/" + target.lstrip("./"))
    finding = next(f for f in KB.findings if target.rstrip("/").endswith(f"/{f.id}"))
    assert page.get_by_role("heading", level=1).inner_text().rstrip("¶") == finding.title


def test_not_found_page_offers_search_and_a_way_back(visit):
    page = visit.goto("/no/such/page/")
    visit.failed.clear()  # the 404 itself is expected
    assert page.get_by_role("heading", name="Page not found").is_visible()
    page.get_by_role("link", name="The nine principles").click()
    assert page.url.endswith("/principles/")


@pytest.mark.parametrize(("name", "path"), [("home", "/"), ("principle", PAGE_TYPES["principle"])])
def test_screenshots_of_the_real_build(visit, tmp_path, name, path):
    """`make screenshots` keeps the README's pictures current (UPDATE_SCREENSHOTS=1)."""
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page = visit.goto(path)
    page.set_viewport_size({"width": 1280, "height": 860})
    page.screenshot(path=str(folder / f"{name}.png"))
    assert (folder / f"{name}.png").stat().st_size > 20_000


def test_copy_button_copies_the_reference_as_rich_and_plain_text(browser, server):
    from kbsite.cite import format_reference

    citation = next(c for c in KB.citations if c.id == "araujo-2024")
    session = Visit(browser, server, axe=False, permissions=["clipboard-read", "clipboard-write"])
    try:
        page = session.goto("/citations/araujo-2024/")
        button = page.get_by_role("button", name="Copy the APA 7 reference")
        button.click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.kb-reference__copy')]"
            ".some(b => b.textContent === 'Copied')"
        )
        rich = page.evaluate("""async () => {
            const [item] = await navigator.clipboard.read();
            return await (await item.getType('text/html')).text();
        }""")
        plain = page.evaluate("() => navigator.clipboard.readText()")
        assert plain == format_reference(citation, "apa")
        assert rich == format_reference(citation, "apa", html=True)  # italics kept
        assert "<i>Proceedings of the 26th" in rich
        assert session.errors == []
        assert session.outside == []
    finally:
        session.close()
