"""The built site in a real browser: Debian's Chromium driven by Playwright, served on 127.0.0.1.

Every request to any other host is recorded and aborted, so a page that tried to reach the
outside world fails the test that visited it.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import axe_playwright_python
import pytest
from playwright import sync_api as playwright_api

from conftest import REPO, require_or_skip

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--disable-dev-shm-usage"]
AXE = Path(axe_playwright_python.__file__).parent / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCREENSHOTS = REPO / "docs" / "assets" / "screenshots"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site quietly, answering missing pages with its 404.html as hosts do."""

    def log_message(self, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None
                   ) -> None:
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


@pytest.fixture(scope="session")
def browser():
    require_or_skip(Path(CHROMIUM).exists(), "Chromium is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        playwright.selectors.set_test_id_attribute("data-testid")
        yield instance
        instance.close()


class Visit:
    """A browser page that records console errors, failed requests and outside requests."""

    def __init__(self, browser, server: str, **context_options) -> None:
        self.server = server
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url)
                     if r.url.startswith(server) else None)
        self.page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}")
                     if r.status >= 400 else None)
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith((self.server, "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def goto(self, path: str):
        self.page.goto(self.server + path, wait_until="load")
        self.page.wait_for_load_state("networkidle")
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


PAGE_TYPES = {
    "home": "/",
    "principle": "/principles/versioning/",
    "benefit": "/benefits/restore-earlier-state/",
    "limitation": "/limitations/effort-delays-first-release/",
    "citation": "/citations/araujo-2024/",
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
    "guide with a result": "/guides/invest-now/?stage=in-production&size=large&"
                           "deployment=continuous&regulated=yes&skills=limited",
    "guide without answers": "/guides/ready-to-adopt/",
    "about": "/about/",
    "reading the evidence": "/about/reading-evidence/",
    "study": "/studies/shankar-2024-study/",
    "studies index": "/studies/",
    "tensions": "/evidence/tensions/",
    "how confidence is rated": "/evidence/confidence/",
    "data downloads": "/evidence/data/",
    "benefit with a tension": "/benefits/better-team-collaboration/",
}


# ---------------------------------------------------------------------------------------------
# Every page, privacy


def test_every_page_loads_cleanly_and_stays_on_this_host(browser, server, built_site):
    session = Visit(browser, server)
    hosts = set()
    session.page.on("request", lambda r: hosts.add(urlparse(r.url).hostname))
    problems = []
    try:
        for path in site_pages(built_site):
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


def test_reader_reaches_principle_evidence_citation_and_bibtex_in_clicks(visit):
    page = visit.goto("/")
    page.get_by_role("link", name="Principles", exact=True).first.click()
    page.get_by_role("link", name="P4 Versioning").first.click()
    assert page.get_by_role("heading", level=1).inner_text().rstrip("¶") == "P4 Versioning"
    content = page.locator(".md-content")
    content.get_by_role("link", name="Restoring an earlier state of the application").click()
    assert page.url.endswith("/benefits/restore-earlier-state/")
    page.locator(".md-content").get_by_role("link", name="Araujo et al. (2024)").first.click()
    assert page.url.endswith("/citations/araujo-2024/")
    doi = page.get_by_role("link", name="10.5220/0012741100003690")
    assert doi.get_attribute("href") == "https://doi.org/10.5220/0012741100003690"
    with page.expect_download() as download_info:
        page.get_by_role("link", name="BibTeX", exact=True).click()
    bib = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert bib.startswith("@inproceedings{araujo-2024,")


def _search(page, text: str) -> list[str]:
    box = page.locator("input[data-md-component=search-query]")
    box.click()
    box.fill("")
    box.press_sequentially(text, delay=15)
    page.wait_for_selector(".md-search-result__item")
    return page.locator(".md-search-result__item h1").all_inner_texts()


@pytest.mark.parametrize(("query", "expected"), [
    ("Versioning", "P4 Versioning"),
    ("model registry", "P4 Versioning"),
    ("drift detection", "P8 Continuous monitoring"),
    ("experiment tracking", "P7 ML metadata tracking and logging"),
    ("CI/CD", "P1 CI/CD automation"),
])
def test_search_finds_principles_by_title_and_alias(visit, query, expected):
    page = visit.goto("/")
    assert expected in _search(page, query)


def test_tag_page_lists_the_tagged_entries(visit):
    page = visit.goto("/tags/")
    section = page.locator("h2#tag\\:traceability + ul, [id='tag:traceability'] + ul").first
    listed = set(section.locator("a").all_inner_texts())
    assert {"P3 Reproducibility", "P4 Versioning", "P7 ML metadata tracking and logging",
            "Restoring an earlier state of the application"} <= listed
    assert "P1 CI/CD automation" not in listed


def test_palette_toggle_switches_between_light_and_dark(visit):
    page = visit.goto("/principles/versioning/")
    body = page.locator("body")
    before = body.get_attribute("data-md-color-scheme")
    page.locator("label[title='Switch to dark mode']").click()
    assert body.get_attribute("data-md-color-scheme") == "slate" != before
    page.reload()
    assert body.get_attribute("data-md-color-scheme") == "slate"
    page.locator("label[title='Switch to light mode']").click()
    assert body.get_attribute("data-md-color-scheme") == "default"


@pytest.mark.parametrize("path", ["/", "/principles/versioning/", "/citations/araujo-2024/",
                                  "/evidence/"])
def test_pages_fit_a_phone_screen(browser, server, path):
    session = Visit(browser, server, viewport={"width": 375, "height": 740},
                    device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = session.goto(path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1
        page.locator("label.md-header__button[for=__drawer]").click()
        assert page.locator(".md-nav--primary").first.is_visible()
        assert session.errors == []
    finally:
        session.close()


# ---------------------------------------------------------------------------------------------
# Accessibility


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_page_types_pass_axe_wcag_a_and_aa(browser, server, name, scheme):
    # The palette follows the system preference on a first visit: the real path to dark mode.
    session = Visit(browser, server, color_scheme=scheme)
    try:
        page = session.goto(PAGE_TYPES[name])
        expected = "slate" if scheme == "dark" else "default"
        assert page.locator("body").get_attribute("data-md-color-scheme") == expected
        page.wait_for_timeout(300)  # let Material's colour transitions finish
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
        violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                      for v in result["violations"]]
        assert violations == []
    finally:
        session.close()


# ---------------------------------------------------------------------------------------------
# Decision guides


def _guides():
    from kbsite import check_kb

    return check_kb(REPO / "kb", REPO).guides


GUIDES = _guides()


def _guide_url(guide, answers: dict[str, str]) -> str:
    query = "&".join(f"{question}={option}" for question, option in answers.items())
    return f"/guides/{guide.id}/?{query}"


@pytest.mark.parametrize("guide", GUIDES, ids=[g.id for g in GUIDES])
def test_page_and_python_agree_on_every_combination(browser, server, guide):
    from kbsite.guides import COMBINATION_LIMIT, combination_count, combinations, evaluate

    assert combination_count(guide) <= COMBINATION_LIMIT  # small: every combination is checked
    session = Visit(browser, server)
    try:
        for answers in combinations(guide):
            page = session.goto(_guide_url(guide, answers))
            rows = page.locator("#kb-guide-result tr[data-subject]")
            shown = {row.get_attribute("data-subject"): (
                row.get_attribute("data-level"),
                tuple(filter(None, row.get_attribute("data-because").split(","))),
                row.get_attribute("data-judgement"))
                for row in rows.all()}
            expected = {subject: (o.level, o.because, o.judgement)
                        for subject, o in evaluate(guide, answers).items()}
            assert shown == expected, answers
        assert session.errors == []
    finally:
        session.close()


def test_guide_works_with_the_keyboard_and_announces_results(visit):
    page = visit.goto("/guides/invest-now/")
    status = page.locator("#kb-guide-status")
    assert status.inner_text().startswith("Answer 5 more questions")
    page.locator("#answer-stage-first-version").focus()
    page.keyboard.press("Space")
    for question in ("size", "deployment", "regulated", "skills"):
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        assert page.evaluate("document.activeElement.name") == question
    assert status.inner_text().startswith("Recommendations updated:")
    assert "stage=first-version" in page.url
    row = page.locator("#kb-guide-result tr[data-subject=ci-cd-automation]")
    assert row.get_attribute("data-level") == "plan-later"
    with page.expect_download() as download_info:
        page.locator("#kb-guide-bibtex").click()
    bib = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert "@inproceedings{araujo-2024," in bib


def test_guide_reads_fully_without_javascript(browser, server):
    session = Visit(browser, server, java_script_enabled=False)
    try:
        page = session.goto("/guides/invest-now/")
        assert not page.locator("#kb-guide-form").is_visible()
        assert page.get_by_role("heading", name="Every outcome").is_visible()
        table = page.locator("h3:has(a[href$='ci-cd-automation/']) + table")
        assert "Plan for later" in table.inner_text()
        questions = page.locator(".md-content ol")
        assert questions.get_by_text("What stage is your ML application at?").is_visible()
    finally:
        session.close()


# ---------------------------------------------------------------------------------------------
# First impression


def test_home_page_shows_trade_off_entry_points_and_principle_cards(visit, tmp_path):
    page = visit.goto("/")
    main = page.locator(".md-content")
    assert main.get_by_role("heading", name="The trade-off in one paragraph").is_visible()
    for entry_point in ("Open the decision guides", "Open the evidence matrix",
                        "Open the citations"):
        assert main.get_by_role("link", name=entry_point).is_visible()
    cards = main.locator(".grid.cards").nth(1).locator("li")
    assert cards.count() == 9
    assert "P4 Versioning" in cards.nth(3).inner_text()
    assert "3 benefits · 0 limitations" in cards.nth(3).inner_text()
    main.get_by_role("link", name="pay off for larger applications that deploy models "
                     "continuously").click()
    assert page.url.endswith("/benefits/pays-off-for-larger-applications/")


def test_not_found_page_offers_search_and_a_way_back(visit):
    page = visit.goto("/no/such/page/")
    visit.failed.clear()  # the 404 itself is expected
    assert page.get_by_role("heading", name="Page not found").is_visible()
    page.get_by_role("link", name="The nine principles").click()
    assert page.url.endswith("/principles/")


@pytest.mark.parametrize(("name", "path"), [("home", "/"),
                                            ("principle", "/principles/versioning/")])
def test_screenshots_of_the_real_build(visit, tmp_path, name, path):
    """`make screenshots` keeps the README's pictures current (UPDATE_SCREENSHOTS=1)."""
    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page = visit.goto(path)
    page.set_viewport_size({"width": 1280, "height": 860})
    page.screenshot(path=str(folder / f"{name}.png"))
    assert (folder / f"{name}.png").stat().st_size > 20_000
