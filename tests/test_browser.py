"""The built site in a real browser: Debian's Chromium (its headless shell) driven by Playwright,
served on 127.0.0.1.

Every request to any other host is recorded and aborted, so a page that tried to reach the
outside world fails the test that visited it.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import axe_playwright_python
import pytest
import yaml

from kbsite import compare_view, diagram, links, ratings
from kbsite.graph import build_graph, principle_order
from kbsite.guides import build_tables

from conftest import (
    CONTEXT_OPTIONS,
    REPO,
    fetch,
    free_port,
    mkdocs_serve,
    real_kb,
    small_project_with_entry,
    wait_for,
)

AXE = Path(axe_playwright_python.__file__).parent / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


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

    `goto` returns once the page has loaded and no request is in flight. `settle` waits for
    a quiet moment too: as strict as Playwright's `networkidle` about late requests, without
    its fixed half-second. The site's pages request nothing after `load`, so only the tests
    whose subject is requests settle (every kind of page settles after loading).
    """

    QUIET_SECONDS = 0.1

    def __init__(self, browser, server: str, *, axe: bool = False, **context_options) -> None:
        self.server = server
        self.context = browser.new_context(**{**CONTEXT_OPTIONS, **context_options})
        # axe ready on every page, sent once; only for the visits that run it (`axe=True`):
        # parsing it costs each page a tenth of a second
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
        self.started = 0
        self.context.on("request", self._started)
        self.context.on("requestfinished", lambda r: self.in_flight.discard(r))
        self.context.on("requestfailed", lambda r: self.in_flight.discard(r))

    def _failed(self, request) -> None:
        # A request the browser itself starts late (the favicon) is cancelled, not failed, when
        # the test moves to the next page; a missing file is a 404 and recorded as one.
        if request.url.startswith(self.server) and request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.failure} {request.url}")

    def _started(self, request) -> None:
        # Chromium resolves no host name (CHROMIUM_ARGS), so an outside request fails; it is
        # recorded here whatever its scheme.
        self.started += 1
        self.in_flight.add(request)
        if not request.url.startswith((self.server, "data:", "blob:", "about:")):
            self.outside.append(request.url)

    def settle(self, quiet: float = QUIET_SECONDS, timeout: float = 15.0) -> None:
        """Wait until no request has been in flight, nor started, for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.in_flight:
                self.page.wait_for_timeout(20)
                continue
            if not quiet:
                return
            started = self.started
            self.page.wait_for_timeout(quiet * 1000)
            if not self.in_flight and self.started == started:
                return
        pytest.fail(f"requests still in flight after {timeout}s: {self.in_flight}")

    def goto(self, path: str):
        self.page.goto(self.server + path, wait_until="load")
        self.settle(quiet=0)
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, server) -> Iterator[Visit]:
    session = Visit(browser, server)
    yield session
    session.close()


@pytest.fixture
def axe_visit(browser, server) -> Iterator[Visit]:
    """A visit whose pages have axe-core loaded."""
    session = Visit(browser, server, axe=True)
    yield session
    session.close()


SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)


def one_page_of_each_kind(site: Path) -> list[str]:
    """The largest page of each kind: its section, its depth and the scripts it runs.

    Pages of a kind come from one template with one set of scripts (an entry page of a type,
    an index, a hand-written page); a page that runs a script of its own is a kind of its own.
    Every page is checked without a browser as well (test_site_quality, test_site_build).
    """
    kinds: dict[tuple[str, int, tuple[str, ...]], tuple[int, str]] = {}
    for path in sorted(site.rglob("*.html")):
        url = "/" + path.relative_to(site).as_posix().removesuffix("index.html")
        html = path.read_text(encoding="utf-8")
        scripts = tuple(sorted({re.sub(r"\.\./", "", a.strip()) for a in SCRIPT.findall(html)}))
        parts = url.strip("/").split("/")
        kind = (parts[0], len(parts), scripts)
        kinds[kind] = max(kinds.get(kind, (0, "")), (len(html), url))
    return sorted(url for _, url in kinds.values())


# Expectations come from kb/, so that adding or rewording an entry never breaks a test.
KB = real_kb()
GRAPH = build_graph(KB)
GUIDES = KB.guides
EVIDENCE = ratings.evaluate(KB)


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
    "evidence and gap map": "/evidence/",
    "evidence gaps": "/evidence/gaps/",
    "cross-cutting": "/evidence/cross-cutting/",
    "tags": "/tags/",
    "performance": "/about/performance/",
    "not found": "/404.html",
    "guides index": "/guides/",
    "about": "/about/",
    "reading the evidence": "/about/reading-evidence/",
    "studies index": "/studies/",
    "tensions": "/evidence/tensions/",
    "how confidence is rated": "/evidence/confidence/",
    "data downloads": "/evidence/data/",
    "changelog": "/about/changelog/",
    "compare studies, none chosen": "/evidence/compare/",
    "compare studies": "/evidence/compare/?studies="
    + ",".join(s.id for s in KB.studies[: compare_view.MAX_STUDIES]),
}
# Pages whose kind depends on the data: found in kb/, so that adding entries never breaks them.
_STUDIES = sorted(KB.studies, key=lambda s: (-len(s.reports), s.id))
if _STUDIES:
    PAGE_TYPES["study"] = _url("studies", _STUDIES[0].id)  # one with the most reports
_IN_TENSION = [f for f in KB.findings if f.tensions]
if _IN_TENSION:
    PAGE_TYPES["finding with a tension"] = _url(f"{_IN_TENSION[0].type}s", _IN_TENSION[0].id)
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
SHARDS = 2


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_kind_of_page_loads_cleanly_and_stays_on_this_host(
    browser, server, built_site, shard
):
    pages = one_page_of_each_kind(built_site)
    assert len(pages) >= SHARDS
    session = Visit(browser, server)
    hosts = set()
    session.page.on("request", lambda r: hosts.add(urlparse(r.url).hostname))
    problems = []
    try:
        for path in pages[shard::SHARDS]:
            session.errors.clear()
            session.failed.clear()
            session.goto(path)
            session.settle()
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
    """One page for every search: the index loads once, each test types its own query.

    Search stays open between the queries: closing and opening it again animates the whole
    page, which cost each query three times the query itself.
    """
    session = Visit(browser, server)
    session.goto("/")
    yield session
    session.close()


NO_MATCH = "qxqzjv"
"""A query that matches nothing: its empty answer shows that every earlier query is done."""
ANSWERED = """([query, found]) => {
  const items = document.querySelectorAll('.md-search-result__item').length;
  const meta = document.querySelector('.md-search-result__meta').textContent;
  return document.querySelector('input[data-md-component=search-query]').value === query
    && (found ? items > 0 : items === 0 && /^No matching/.test(meta));
}"""


def _search(page, text: str) -> list[str]:
    """The titles search shows for `text`.

    Material searches on key-up, so filling all but the last key and typing that sends the
    search worker one query, which it answers after every query sent before. A query that
    matches nothing goes first: once its empty answer shows, the next results to show are
    this query's, with no waiting for the list to stop changing.
    """
    box = page.locator("input[data-md-component=search-query]")
    box.click()
    for query, found in ((NO_MATCH, False), (text, True)):
        box.fill(query[:-1])
        box.press(query[-1])
        page.wait_for_function(ANSWERED, arg=[query, found], timeout=10_000)
    return page.locator(".md-search-result__item h1").all_inner_texts()


def _title(entry) -> str:
    return entry.label if hasattr(entry, "label") else entry.title


SEARCHES = [(KB.principles[0].title, KB.principles[0].label)] + [
    (principle.aliases[0], principle.label) for principle in KB.principles if principle.aliases
]


@pytest.mark.parametrize(("query", "expected"), SEARCHES)
def test_search_finds_principles_by_title_and_alias(search_page, query, expected):
    page = search_page.page
    assert expected in _search(page, query)
    assert search_page.errors == []


# Records the type of every message a page posts to a web worker (Material's search worker
# protocol: 0 sets the index up, 2 is a query).
WORKER_MESSAGES = """window.__kbWorkerMessages = [];
const post = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (message, ...rest) {
  window.__kbWorkerMessages.push(message && message.type);
  return post.call(this, message, ...rest);
};"""


def test_search_index_is_fetched_and_built_only_for_search_and_search_results(visit):
    """The hook defers Material's index download and set-up to the first opening of search,
    or to a page a search result opened (mkdocs_hook.BUNDLE_PATCHES)."""
    visit.context.add_init_script(WORKER_MESSAGES)
    index_requests: list[str] = []
    visit.context.on(
        "request",
        lambda r: r.url.endswith("/search/search_index.json") and index_requests.append(r.url),
    )
    page = visit.goto("/")
    page.wait_for_timeout(500)  # a download or set-up started on load would have begun by now
    assert 0 not in page.evaluate("window.__kbWorkerMessages")
    assert index_requests == []
    assert page.locator("mark[data-md-highlight]").count() == 0
    principle = KB.principles[0]
    assert principle.label in _search(page, principle.title)  # the click opens search
    assert page.evaluate("window.__kbWorkerMessages").count(0) == 1
    # A result's link carries the words searched for (`?h=`); its page marks them.
    index_requests.clear()
    word = max(re.findall(r"[A-Za-z]{4,}", principle.title), key=len)
    page = visit.goto(f"{_url('principles', principle.id)}?h={word}")
    marked = page.locator("mark[data-md-highlight]")
    marked.first.wait_for()
    assert {text.lower() for text in marked.all_inner_texts()} == {word.lower()}
    assert len(index_requests) == 1
    assert visit.errors == []


READER_WORDS = ("reproducability", "rollback", "ROI", "cost", "drift")
"""What a student typed (issue 15): misspellings, synonyms, abbreviations. Which pages they
must reach is data: the entries that list the word among their aliases."""


def _entries_with_alias(word: str) -> set[str]:
    return {
        _title(entry)
        for entry in (*KB.principles, *KB.findings)
        if word.lower() in (alias.lower() for alias in entry.aliases)
    }


def _alias_searches() -> list[tuple[str, set[str]]]:
    """The reader words, then one alias of every finding that has aliases."""
    queries = list(READER_WORDS)
    queries += [f.aliases[0] for f in KB.findings if f.aliases and f.aliases[0] not in queries]
    return [(query, _entries_with_alias(query)) for query in queries]


def test_every_reader_word_is_an_alias_of_some_entry():
    assert all(_entries_with_alias(word) for word in READER_WORDS)


@pytest.mark.parametrize(("query", "expected"), _alias_searches())
def test_search_reaches_the_entries_that_list_a_word_among_their_aliases(
    search_page, query, expected
):
    page = search_page.page
    shown = _search(page, query)
    assert expected <= set(shown), (query, shown)
    assert search_page.errors == []


TAG_GROUPS = """tag => {
  const heading = document.getElementById(tag);
  const groups = {};
  let current = null;
  for (let e = heading.nextElementSibling; e && e.tagName !== 'H2'; e = e.nextElementSibling) {
    if (e.tagName === 'P' && e.querySelector('strong')) { current = e.textContent.trim(); }
    else if (e.tagName === 'UL' && current) {
      groups[current] = [...e.querySelectorAll(':scope > li > a')].map(a => a.textContent);
    }
  }
  return {label: heading.textContent.replace('¶', '').trim(), groups};
}"""


def test_tag_page_shows_human_labels_and_groups_the_entries_by_type(visit):
    from kbsite.vocabulary import TAGS

    page = visit.goto("/tags/")
    assert GRAPH.tags
    for tag, entries in GRAPH.tags.items():
        shown = page.evaluate(TAG_GROUPS, tag)
        assert shown["label"] == TAGS.label(tag)
        expected = {}
        for type_name, heading in (
            ("principle", "Principles"),
            ("benefit", "Benefits"),
            ("limitation", "Limitations"),
        ):
            group = sorted(_title(e) for e in entries if e.type == type_name)
            if group:
                expected[f"{heading} ({len(group)})"] = group
        assert {name: sorted(titles) for name, titles in shown["groups"].items()} == expected
    # Each entry's page links its tags to their section of the tags page.
    entry = next(e for e in (*KB.findings, *KB.principles) if e.tags)
    page = visit.goto(_url(f"{entry.type}s", entry.id))
    label = TAGS.label(entry.tags[0])
    page.locator(".md-content").get_by_role("link", name=label, exact=True).click()
    assert page.url.endswith(f"/tags/#{entry.tags[0]}")


# From the moment a page starts: each change to an attribute of <html> or <body>, and whether
# the page's content was parsed by then (its footer is there). Such a change restyles the
# page: before the body is parsed there is little to restyle, after it, all of it.
ROOT_ATTRIBUTE_CHANGES = """
window.kbRootChanges = [];
new MutationObserver(records => {
  for (const record of records) {
    const element = record.target;
    if (element !== document.documentElement && element !== document.body) continue;
    if (element.getAttribute(record.attributeName) === record.oldValue) continue;
    window.kbRootChanges.push({element: element.localName, attribute: record.attributeName,
      parsed: document.querySelector('.md-footer') !== null});
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true});
"""
ROOT_SCHEME = "getComputedStyle(document.documentElement).colorScheme"


def _changes_once_parsed(page) -> list[str]:
    changes = page.evaluate("window.kbRootChanges.splice(0)")
    return [f"{c['element']} {c['attribute']}" for c in changes if c["parsed"]]


def test_palette_toggle_switches_between_light_and_dark(browser, server):
    """With motion, as most readers have it (CONTEXT_OPTIONS turns it off elsewhere)."""
    visit = Visit(browser, server, reduced_motion="no-preference")
    visit.context.add_init_script(ROOT_ATTRIBUTE_CHANGES)
    try:
        page = visit.goto(PAGE_TYPES["principle"])
        body = page.locator("body")
        before = body.get_attribute("data-md-color-scheme")
        # Once the page is parsed, loading changes no attribute of <html> or <body>, each of
        # which restyled all of it (mkdocs_hook.BUNDLE_PATCHES and the theme's head script);
        # the root's colour scheme comes from the stylesheet.
        assert _changes_once_parsed(page) == []
        assert page.evaluate("document.documentElement.className.split(' ').sort()") == [
            "js",
            "js-focus-visible",
        ]
        assert page.locator("meta[name='color-scheme']").count() == 0
        assert page.evaluate(ROOT_SCHEME) == "light"
        page.locator("label[title='Switch to dark mode']").click()
        assert body.get_attribute("data-md-color-scheme") == "slate" != before
        assert page.evaluate(ROOT_SCHEME) == "dark"
        # A reader's switch still turns colour transitions off while it applies.
        assert "body data-md-color-switching" in _changes_once_parsed(page)
        page.reload()
        assert body.get_attribute("data-md-color-scheme") == "slate"
        assert _changes_once_parsed(page) == []
        assert page.evaluate(ROOT_SCHEME) == "dark"
        page.locator("label[title='Switch to light mode']").click()
        assert body.get_attribute("data-md-color-scheme") == "default"
        assert page.evaluate(ROOT_SCHEME) == "light"
        page.wait_for_function(ANIMATIONS_DONE, timeout=5000)
        assert visit.errors == []
    finally:
        visit.close()


@pytest.fixture(scope="module")
def phone(browser, server) -> Iterator[Visit]:
    session = Visit(
        browser,
        server,
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield session
    session.close()


MAPPED = [
    p for p in sorted(KB.principles, key=principle_order) if GRAPH.findings_of_principle[p.id]
]
"""Principles whose page carries a relationship map (those with linked findings)."""


@pytest.mark.parametrize(
    "path",
    sorted(
        {
            "/",
            PAGE_TYPES["principle"],
            "/evidence/",
            PAGE_TYPES.get("citation", "/citations/"),
            PAGE_TYPES["compare studies"],
            "/tags/",
            *(_url("principles", p.id) for p in MAPPED[:1]),
        }
    ),
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


REGIONS = """() => [...document.querySelectorAll('.md-typeset__scrollwrap[role=region]')]
  .map(wrap => wrap.getAttribute('aria-label'))"""


def test_tables_that_scroll_sideways_have_names_of_their_own(phone):
    """Each region a screen reader lists is named after the heading its table stands under."""
    named = {}
    for path in sorted(set(PAGE_TYPES.values())):
        phone.page.goto(phone.server + path, wait_until="load")
        phone.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # render them all
        phone.page.wait_for_timeout(50)
        named[path] = phone.page.evaluate(REGIONS)
    assert any(len(names) > 1 for names in named.values()), "no page with two such tables"
    for path, names in named.items():
        assert len(names) == len(set(names)), (path, names)
        assert all(name.endswith(", scrolls sideways") for name in names), (path, names)
        assert not any("\u00b6" in name for name in names), (path, names)


CITE_BOX = """() => [...document.querySelectorAll(
    '.kb-reference__text, .kb-references + .tabbed-set pre > code')]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.className || e.tagName, e.scrollWidth, e.clientWidth])"""
"""The formatted references and the code blocks of the cite box's tab on show."""


@pytest.mark.parametrize("citation", KB.citations[:3], ids=[c.id for c in KB.citations[:3]])
def test_cite_box_shows_whole_references_on_a_phone_without_sideways_scrolling(phone, citation):
    page = phone.goto(_url("citations", citation.id))
    overflowing = []
    tabs = page.locator(".kb-references + .tabbed-set > .tabbed-labels > label")
    for index in range(max(tabs.count(), 1)):
        if tabs.count():
            tabs.nth(index).click()
        for name, scroll, client in page.evaluate(CITE_BOX):
            if client and scroll > client + 1:
                overflowing.append((index, name, scroll, client))
    assert page.locator(".kb-reference__text").count() >= 1
    assert overflowing == []
    assert phone.errors == []


# ---------------------------------------------------------------------------------------------
# Relationship maps

MAP_FACTS = """sel => [...document.querySelectorAll(sel + ' svg')].map(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const texts = [...svg.querySelectorAll('text')];
  const nodes = [...svg.querySelectorAll('a.kb-map__node')].map(a => {
    const box = a.querySelector('rect').getBoundingClientRect();
    const text = a.querySelector('text').getBoundingClientRect();
    return {fits: text.left >= box.left && text.right <= box.right + 0.5
                  && text.top >= box.top && text.bottom <= box.bottom + 0.5,
            name: a.getAttribute('aria-label')};
  });
  return {visible: svg.getBoundingClientRect().width > 0,
          smallest: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize) * scale)),
          nodes,
          overflow: svg.parentElement.scrollWidth - svg.parentElement.clientWidth};
})"""


def test_the_real_kb_has_principles_with_relationship_maps():
    assert MAPPED


@pytest.mark.parametrize("principle", MAPPED, ids=[p.id for p in MAPPED])
def test_relationship_map_is_readable_at_1280_pixels(visit, principle):
    visit.page.set_viewport_size({"width": 1280, "height": 900})
    page = visit.goto(_url("principles", principle.id))
    wide, narrow = (
        page.evaluate(MAP_FACTS, ".kb-map--wide"),
        page.evaluate(MAP_FACTS, ".kb-map--narrow"),
    )
    assert [m["visible"] for m in wide + narrow] == [True, False]
    [shown] = wide
    assert shown["smallest"] >= 12
    assert shown["overflow"] <= 0
    assert all(node["fits"] for node in shown["nodes"]), shown["nodes"]
    findings = GRAPH.findings_of_principle[principle.id]
    names = [node["name"] for node in shown["nodes"]]
    for finding in findings:
        assert any(n.startswith(f"{finding.title}: {finding.type}, ") for n in names)
    assert visit.errors == []


def test_relationship_map_on_a_phone_shows_the_narrow_drawing_whole(phone):
    principle = MAPPED[0]
    page = phone.goto(_url("principles", principle.id))
    [narrow] = page.evaluate(MAP_FACTS, ".kb-map--narrow")
    assert page.evaluate(MAP_FACTS, ".kb-map--wide")[0]["visible"] is False
    assert narrow["visible"]
    assert narrow["smallest"] >= 12
    assert narrow["overflow"] <= 0
    assert all(node["fits"] for node in narrow["nodes"]), narrow["nodes"]


def test_map_boxes_are_links_reached_with_the_keyboard(visit):
    principle = MAPPED[0]
    first = GRAPH.findings_of_principle[principle.id]
    page = visit.goto(_url("principles", principle.id))
    boxes = page.locator(".kb-map--wide a.kb-map__node")
    assert boxes.count() >= len(first)
    target = page.locator(
        ".kb-map--wide a.kb-map__node--benefit, .kb-map--wide a.kb-map__node--limitation"
    ).first
    href = target.get_attribute("href")
    # Tab from the paragraph before the map reaches its boxes in order, then Enter follows one.
    page.locator(".kb-map--wide").evaluate(
        "m => m.previousElementSibling.setAttribute('tabindex', '-1')"
    )
    page.locator(".kb-map--wide").evaluate("m => m.previousElementSibling.focus()")
    reached = []
    for _ in range(boxes.count()):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.getAttribute('href')"))
    assert reached == [boxes.nth(i).get_attribute("href") for i in range(boxes.count())]
    page.locator(f".kb-map--wide a[href='{href}']").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    finding_id = href.rstrip("/").rsplit("/", 1)[1]
    assert page.get_by_role("heading", level=1).inner_text().rstrip("¶") == (
        GRAPH.findings[finding_id].title
    )


def test_map_colours_follow_the_colour_scheme(browser, server):
    colours = {}
    for scheme in ("light", "dark"):
        session = Visit(browser, server, color_scheme=scheme)
        try:
            page = session.goto(_url("principles", MAPPED[0].id))
            page.wait_for_function(ANIMATIONS_DONE, timeout=5000)
            colours[scheme] = page.evaluate(
                """() => { const svg = document.querySelector('.kb-map--wide svg');
                  const body = getComputedStyle(document.body);
                  return [getComputedStyle(svg.querySelector('a text')).fill,
                          getComputedStyle(svg.querySelector('a rect')).fill,
                          body.color, body.backgroundColor]; }"""
            )
        finally:
            session.close()
    for text, box, body_text, body_background in colours.values():
        assert text == body_text  # the page's own text colour, on
        assert box in (body_background, "rgb(255, 255, 255)")  # the page's own background
    assert colours["light"] != colours["dark"]


# ---------------------------------------------------------------------------------------------
# Compare studies

COMPARED = """() => {
  const table = document.getElementById('kb-compare-table');
  if (!table) { return null; }
  const studies = [...table.querySelectorAll('thead th a')].map(a => a.getAttribute('href'));
  const findings = {};
  for (const row of table.querySelectorAll('tbody tr.kb-compare__finding')) {
    findings[row.querySelector('th').dataset.finding] =
      [...row.querySelectorAll('td')].map(td => td.classList.contains('kb-compare__none')
                                                ? '' : td.textContent);
  }
  return {studies, findings};
}"""


def _expected_comparison(ids: list[str]) -> dict[str, list[str]]:
    labels = compare_view.compare_data(GRAPH, EVIDENCE, links.COMPARE_PAGE)["linkLabels"]
    expected = {}
    for finding in KB.findings:
        kinds = compare_view.study_links(finding, EVIDENCE)
        if any(study in kinds for study in ids):
            expected[finding.id] = [labels[kinds[s]] if s in kinds else "" for s in ids]
    return expected


def _compare_choices() -> list[str]:
    """Two to four studies that support findings, derived from kb/."""
    supporting = [
        s.id for s in compare_view.studies_in_order(GRAPH) if EVIDENCE.findings_of_study.get(s.id)
    ]
    return supporting[: compare_view.MAX_STUDIES]


def test_comparison_from_the_address_matches_the_knowledge_base(visit):
    ids = _compare_choices()
    assert len(ids) >= compare_view.MIN_STUDIES
    page = visit.goto(f"/evidence/compare/?studies={','.join(ids)}")
    shown = page.evaluate(COMPARED)
    assert [href.rstrip("/").rsplit("/", 1)[1] for href in shown["studies"]] == ids
    assert shown["findings"] == _expected_comparison(ids)
    for study in ids:
        assert page.locator(f"#compare-{study}").is_checked()
    status = page.locator("#kb-compare-status").inner_text()
    assert status.startswith(f"Comparing {len(ids)} studies: {len(shown['findings'])} finding")
    assert visit.errors == []


def test_choosing_studies_updates_the_table_the_address_and_the_csv(visit):
    import csv
    import io

    ids = _compare_choices()
    page = visit.goto("/evidence/compare/")
    assert page.locator("#kb-compare-status").inner_text().startswith("Choose at least")
    assert page.locator("#kb-compare-picker").get_attribute("open") is not None
    for study in ids:
        page.locator(f"#compare-{study}").check()
    assert parse_qsl(urlparse(page.url).query) == [("studies", ",".join(ids))]
    boxes = page.locator("input[name=study]")
    unchosen = [boxes.nth(i) for i in range(boxes.count()) if not boxes.nth(i).is_checked()]
    if len(ids) == compare_view.MAX_STUDIES:  # a fifth study cannot be added
        assert all(box.is_disabled() for box in unchosen)
    assert page.evaluate(COMPARED)["findings"] == _expected_comparison(ids)
    with page.expect_download() as download:
        page.locator("#kb-compare-csv").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[1][3:] == ids
    by_title = {row[1]: row[3:] for row in rows if row[0] not in ("Study",)}
    for finding_id, cells in _expected_comparison(ids).items():
        assert by_title[GRAPH.findings[finding_id].title] == cells
    page.locator(f"#compare-{ids[0]}").uncheck()
    assert parse_qsl(urlparse(page.url).query) == [("studies", ",".join(ids[1:]))]
    assert page.evaluate(COMPARED)["findings"] == _expected_comparison(ids[1:])
    assert visit.errors == []


# Layout shifts since the page began to load (none caused by input can occur here), summed as
# Lighthouse's cumulative layout shift sums them, read once the scripts have run.
LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) { if (!entry.hadRecentInput) total += entry.value; }
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(total), 300);
})"""
SCRIPTED_PAGES = ("compare studies, none chosen", "evidence and gap map", "guide without answers")
"""Pages whose scripts add or show a form or a result once they start."""


def test_pages_do_not_move_when_their_scripts_start(browser, server):
    """Each scripted page lays out from the start what its script shows when nothing is
    chosen: no layout shift, or one too small to see (Lighthouse's mobile preset measured
    0.13 on the compare page when its script showed the picker)."""
    session = Visit(browser, server, viewport={"width": 412, "height": 823}, is_mobile=True)

    def slow_script(route) -> None:
        """Each script arrives 0.1 s late, as on a phone's network: the page is drawn before
        the scripts run (here they would otherwise run before the first frame, and move
        nothing anyone saw)."""
        time.sleep(0.1)
        route.continue_()

    session.page.route("**/*.js", slow_script)
    try:
        for name in (name for name in SCRIPTED_PAGES if name in PAGE_TYPES):
            page = session.goto(PAGE_TYPES[name])
            assert page.evaluate(LAYOUT_SHIFT) < 0.01, name
        assert session.errors == []
    finally:
        session.close()


def test_compare_page_starts_as_its_script_leaves_it_with_nothing_chosen(visit, built_site):
    """The status and count the build writes are the script's words for no selection."""
    built = (built_site / "evidence" / "compare" / "index.html").read_text(encoding="utf-8")
    page = visit.goto("/evidence/compare/")
    status = re.search(r'id="kb-compare-status"[^>]*>([^<]*)<', built).group(1)
    count = re.search(r'id="kb-compare-count">([^<]*)<', built).group(1)
    assert status == page.locator("#kb-compare-status").inner_text()
    assert count == page.locator("#kb-compare-count").inner_text()
    assert page.locator("#kb-compare-picker").get_attribute("open") is not None


def test_compare_page_without_javascript_lists_every_study_and_finding(browser, server):
    session = Visit(browser, server, java_script_enabled=False)
    try:
        page = session.goto("/evidence/compare/")
        assert page.locator("html").get_attribute("class") == "no-js"
        assert not page.locator("#kb-compare-form").is_visible()
        table = page.locator("h2#all-studies ~ div table, h2#all-studies ~ table").first
        listed = table.locator("tbody tr td:first-child").all_inner_texts()
        assert listed == [
            f"{diagram.study_name(s, GRAPH)}: {s.title}"
            for s in compare_view.studies_in_order(GRAPH)
        ]
        findings = page.locator("h2#findings ~ ul > li")
        assert findings.count() == sum(
            len(GRAPH.findings_of_principle[p.id]) or 1 for p in KB.principles
        ) + len(GRAPH.cross_cutting)
    finally:
        session.close()


# ---------------------------------------------------------------------------------------------
# Accessibility


@pytest.fixture(scope="module")
def light_first(browser, server) -> Iterator[Visit]:
    """One browser context whose system preference is light, shared by the page types."""
    session = Visit(browser, server, axe=True, color_scheme="light")
    session.context.add_init_script("localStorage.clear()")  # every page is a first visit
    yield session
    session.close()


def _axe_violations(rules: str, *, target_size: bool) -> str:
    """A page function that runs the axe rules `rules` (JavaScript, given the tags) and returns
    the violations only, not the thousands of passing nodes (the same verdict, for a fraction
    of the time). With `target_size`, WCAG 2.2's target size runs too (Lighthouse counts it),
    outside the primary sidebar: Material's sticky section heading there covers a few pixels
    of the first link once the sidebar scrolls to the page's entry, which depends on how many
    entries the section lists, not on our markup. axe runs one check at a time."""
    report = "v => [v.id, v.impact, v.nodes.slice(0, 3).map(n => n.target)]"
    script = f"""tags => axe.run(document, {{runOnly: {{type: 'rule', values: {rules}}},
                                             resultTypes: ['violations']}})"""
    if target_size:
        script += """
  .then(first => axe.run({exclude: [['.md-sidebar--primary']]},
                         {runOnly: {type: 'rule', values: ['target-size']},
                          resultTypes: ['violations']})
    .then(second => ({violations: [...first.violations, ...second.violations]})))"""
    return script + f"\n  .then(result => result.violations.map({report}))"


# Every WCAG 2.1 A and AA rule, those axe calls experimental included (a tag alone leaves them
# out: label-content-name-mismatch, for one, which Lighthouse runs), and target size. Two
# best-practice rules join them, for faults this site had: landmarks (navigation, regions)
# that share a name or have none, and table header cells without text.
AXE_VIOLATIONS = _axe_violations(
    "[...axe.getRules(tags).map(rule => rule.ruleId), 'landmark-unique', 'empty-table-header']",
    target_size=True,
)
# The WCAG rules that read colours (axe's `cat.color`: contrast, links told apart from text):
# all that the dark scheme can change, see test_dark_scheme_changes_colours_only.
AXE_COLOUR_VIOLATIONS = _axe_violations(
    "axe.getRules(tags).filter(rule => rule.tags.includes('cat.color')).map(rule => rule.ruleId)",
    target_size=False,
)
# Material animates colours when the palette applies; axe must see the final colours. It
# turns transitions back on in a later task (data-md-color-switching), which may start them
# only then: wait for that too.
ANIMATIONS_DONE = """() => !document.body.hasAttribute('data-md-color-switching')
  && document.getAnimations().every(a => a.playState !== 'running')"""


AXE_ELSEWHERE = {
    "evidence and gap map": "test_browser_gapmap runs every rule on it, light and dark, "
    "with a cell open",
    "compare studies, none chosen": "every kind of element it shows is on the page with "
    "studies chosen too",
}
"""Page types whose axe check here would repeat another one, and why."""


def test_page_types_left_to_other_axe_checks_are_page_types():
    assert set(AXE_ELSEWHERE) <= set(PAGE_TYPES)


@pytest.mark.parametrize("name", [name for name in PAGE_TYPES if name not in AXE_ELSEWHERE])
def test_page_types_pass_axe_wcag_a_and_aa_in_light_and_dark(light_first, name):
    session = light_first
    session.errors.clear()
    page = session.goto(PAGE_TYPES[name])
    body = page.locator("body")
    assert body.get_attribute("data-md-color-scheme") == "default"
    page.wait_for_function(ANIMATIONS_DONE, timeout=5000)
    assert page.evaluate(AXE_VIOLATIONS, WCAG_TAGS) == [], "light"
    # Dark as a reader switches to it; the colour rules run again in the new colours. Material
    # turns colour transitions off for the switch, but back on before a long page's hidden
    # parts (content-visibility) have restyled, where they then stall: off for the test.
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")
    page.locator("label[title='Switch to dark mode']").click()
    assert body.get_attribute("data-md-color-scheme") == "slate"
    page.wait_for_function(ANIMATIONS_DONE, timeout=5000)
    assert page.evaluate(AXE_COLOUR_VIOLATIONS, WCAG_TAGS) == [], "dark"
    assert session.errors == []


# The evidence and gap map takes this path with a cell open (test_browser_gapmap).
@pytest.mark.parametrize("name", ["home", "principle"])
def test_a_first_visit_follows_a_dark_system_preference_and_passes_every_rule(
    browser, server, name
):
    """The other path to dark mode, and every rule (not only colours) on the dark theme."""
    session = Visit(browser, server, axe=True, color_scheme="dark")
    session.context.add_init_script(ROOT_ATTRIBUTE_CHANGES)
    try:
        page = session.goto(PAGE_TYPES[name])
        assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
        assert page.evaluate(ROOT_SCHEME) == "dark"
        assert _changes_once_parsed(page) == []
        page.wait_for_function(ANIMATIONS_DONE, timeout=5000)
        assert page.evaluate(AXE_VIOLATIONS, WCAG_TAGS) == []
        assert session.errors == []
    finally:
        session.close()


def test_axe_colour_pass_reports_low_contrast_and_only_colour_rules(axe_visit):
    """The control of the dark pass: it finds poor contrast, and runs the colour rules alone."""
    page = axe_visit.goto("/404.html")
    page.evaluate(
        "document.querySelector('.md-content').insertAdjacentHTML('beforeend', "
        '\'<p style="color:#777;background:#888">faint</p><img src="data:,">\')'
    )
    found = {rule for rule, _, _ in page.evaluate(AXE_COLOUR_VIOLATIONS, WCAG_TAGS)}
    assert found == {"color-contrast"}


OUTSIDE_REQUESTS = """async () => {
  const image = new Image();
  image.src = 'http://images.example.com/pixel.png';
  document.body.append(image);
  try { await fetch('https://api.example.org/data.json'); return true; }
  catch (error) { return false; }
}"""


def test_outside_requests_are_recorded_and_never_reach_their_host(browser, server):
    """The check every page test relies on: a request to another host is seen, and fails.
    The site's own policy (next test) would stop these requests before the check sees them,
    so this control runs without it."""
    visit = Visit(browser, server, bypass_csp=True)
    try:
        page = visit.goto("/404.html")
        reached = page.evaluate(OUTSIDE_REQUESTS)
        visit.settle()
        assert reached is False
        assert set(visit.outside) == {
            "http://images.example.com/pixel.png",
            "https://api.example.org/data.json",
        }
    finally:
        visit.close()


def test_the_site_policy_makes_the_browser_refuse_requests_to_other_hosts(visit):
    """Whatever a page came to hold, the browser itself loads nothing from another host: the
    Content-Security-Policy of every page (scripts/overrides/main.html) refuses it."""
    page = visit.goto("/404.html")
    assert page.evaluate(OUTSIDE_REQUESTS) is False
    visit.settle()
    refused = [e for e in visit.errors if "violates the following Content Security Policy" in e]
    assert any("images.example.com" in e for e in refused), visit.errors
    assert any("api.example.org" in e for e in refused), visit.errors


def test_axe_check_reports_a_violation(axe_visit):
    """The control: the same call finds real violations, of an experimental rule and of WCAG
    2.2's target size too, so a pass above means something."""
    page = axe_visit.goto("/404.html")
    page.evaluate(
        "document.querySelector('.md-content').insertAdjacentHTML('beforeend', "
        '\'<img src="data:,"><a href="#x"></a><a href="#y" aria-label="Close">Open</a>\')'
    )
    page.evaluate(  # two targets of 8 px side by side: WCAG 2.2 asks for 24 px or the spacing
        "document.querySelector('.md-content').insertAdjacentHTML('beforeend', '<p>' + "
        "'<button style=\"all:unset;display:inline-block;width:8px;height:8px\">a</button>'"
        ".repeat(2) + '</p>')"
    )
    found = {rule for rule, _, _ in page.evaluate(AXE_VIOLATIONS, WCAG_TAGS)}
    assert {"image-alt", "link-name", "label-content-name-mismatch", "target-size"} <= found


# ---------------------------------------------------------------------------------------------
# Decision guides: the page looks answers up in the table Python computed; these tests check
# that it reads the table right (every combination, through the page's own lookup, in one
# round trip) and shows what the table says (the DOM, for a few realistic situations).

SITUATIONS = yaml.safe_load((REPO / "tests" / "guide_situations.yaml").read_text(encoding="utf-8"))


@functools.cache
def _tables() -> dict:
    """The real guides' tables, built on first use (not when `make check` collects this)."""
    return build_tables(KB, ratings.evaluate(KB).ratings)


READ_EVERY_COMBINATION = """combinations => combinations.map(
    answers => window.kbGuide.outcome(answers))"""
SHOWN = """() => ({
  recommendations: [...document.querySelectorAll('#kb-guide-result article[data-subject]')]
    .map(a => [a.dataset.subject, a.dataset.level, a.dataset.basis,
               a.dataset.for, a.dataset.against, a.dataset.costs, a.dataset.judgement,
               a.dataset.changes]),
  plan: [...document.querySelectorAll('#kb-guide-plan li')].map(li => li.dataset.subject),
})"""


def _expected_outcome(table, combination) -> dict:
    guide = table.guide
    subjects = [s.subject.subject for s in table.subjects]
    return {
        "subjects": [
            [subject, view.recommendation.level, _basis(view.recommendation)]
            for subject, view in zip(subjects, table.views(combination), strict=True)
        ],
        "plan": [guide.subjects[i].subject for i in table.plan(combination)],
    }


def _basis(rec) -> str:
    return "evidence" if rec.by_evidence else "judgement"


def _expected_dom(table, combination) -> dict:
    guide = table.guide
    rows = []
    for subject, view in zip(guide.subjects, table.views(combination), strict=True):
        rec = view.recommendation
        changes = ";".join(
            f"{guide.questions[c.question].id}="
            f"{guide.questions[c.question].options[c.option].id}:{c.level}"
            for c in view.changes
        )
        rows.append(
            [
                subject.subject,
                rec.level,
                _basis(rec),
                ",".join(w.finding for w in rec.side("for")),
                ",".join(w.finding for w in rec.side("against")),
                ",".join(w.finding for w in rec.side("cost")),
                rec.judgement,
                changes,
            ]
        )
    return {
        "recommendations": rows,
        "plan": [guide.subjects[i].subject for i in table.plan(combination)],
    }


@pytest.mark.parametrize("guide", GUIDES, ids=[g.id for g in GUIDES])
def test_page_reads_the_shipped_table_correctly(visit, guide):
    table = _tables()[guide.id]
    for situation in SITUATIONS:
        answers = {q.id: situation["answers"][q.id] for q in guide.questions}
        page = visit.goto(_guide_url(guide, answers))
        assert page.evaluate(SHOWN) == _expected_dom(table, table.combination_of(answers))
    every = list(table.combinations())
    shown = page.evaluate(READ_EVERY_COMBINATION, [table.answers_of(c) for c in every])
    for combination, outcome in zip(every, shown, strict=True):
        assert outcome == _expected_outcome(table, combination), table.answers_of(combination)
    assert visit.errors == []


def test_answers_are_kept_in_the_address_as_they_are_given(visit):
    guide = GUIDES[0]
    table = _tables()[guide.id]
    page = visit.goto(f"/guides/{guide.id}/")
    answers = table.answers_of(next(iter(table.combinations())))
    for question, option in answers.items():
        page.locator(f"#answer-{question}-{option}").check()
    assert dict(parse_qsl(urlparse(page.url).query)) == answers
    assert page.evaluate(SHOWN)["recommendations"][0][1] == (
        table.views(table.combination_of(answers))[0].recommendation.level
    )


def test_guide_works_with_the_keyboard_and_announces_results(visit):
    guide = GUIDES[0]
    table = _tables()[guide.id]
    questions = guide.questions
    answers = {q.id: q.options[0].id for q in questions}
    combination = table.combination_of(answers)
    cited = sorted(
        {
            c
            for view in table.views(combination)
            for w in view.recommendation.weighed
            for c in GRAPH.entries[w.finding].citation_ids
        }
    )
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
    assert page.evaluate(SHOWN) == _expected_dom(table, combination)
    if cited:
        with page.expect_download() as download_info:
            page.locator("#kb-guide-bibtex").click()
        bib = Path(download_info.value.path()).read_text(encoding="utf-8")
        for citation in cited:
            assert f"{{{citation}," in bib


@pytest.mark.parametrize("guide", GUIDES, ids=[g.id for g in GUIDES])
def test_guide_result_is_readable_on_a_phone(phone, guide):
    situation = SITUATIONS[-1]
    answers = {q.id: situation["answers"][q.id] for q in guide.questions}
    page = phone.goto(_guide_url(guide, answers))
    page.set_viewport_size({"width": 390, "height": 844})
    assert (
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 1
    )
    cards = page.locator("#kb-guide-result article")
    assert cards.count() == len(guide.subjects)
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('#kb-guide-result article, #kb-guide-result li')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                      || e.scrollWidth > e.clientWidth + 1).length"""
    )
    assert overflowing == 0


def test_guide_reads_fully_without_javascript(browser, server):
    guide = GUIDES[0]
    levels = {level.id: level.label for level in guide.levels}
    session = Visit(browser, server, java_script_enabled=False)
    try:
        page = session.goto(f"/guides/{guide.id}/")
        # The questions are printed once: the form, readable without the script.
        legends = page.locator("#kb-guide-form legend")
        assert legends.all_inner_texts() == [q.text for q in guide.questions]
        text = page.locator(".md-content").inner_text()
        for question in guide.questions:
            assert text.count(question.text) == 1, question.text
        assert page.locator(".kb-guide__noscript").is_visible()
        assert page.get_by_role("heading", name="The whole guide").is_visible()
        # Each subject's evidence, rules and default are there to follow by hand.
        for index, subject in enumerate(guide.subjects):
            details = page.locator(".kb-guide__subject").nth(index)
            details.locator("summary").click()
            body = details.inner_text()
            assert subject.first_step in body
            for decision in (*(r.decision for r in subject.rules), subject.default):
                assert levels[decision.level] in body
                assert decision.judgement in body
            for item in subject.evidence:
                assert GRAPH.findings[item.finding].title in body
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
        "Open the evidence and gap map",
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


def test_screenshot_script_photographs_every_page_of_its_list(browser, server, tmp_path):
    """`make screenshots` (scripts/screenshots.py) keeps working: every listed page exists
    on the real build, its anchor is found, and a full-size picture is written."""
    import importlib.util
    import struct
    import sys

    spec = importlib.util.spec_from_file_location(
        "screenshots", REPO / "scripts" / "screenshots.py"
    )
    assert spec is not None
    assert spec.loader is not None
    screenshots = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = screenshots  # its dataclasses look their module up there
    spec.loader.exec_module(screenshots)
    written = screenshots.take(browser, server, tmp_path)
    assert [path.name for path in written] == [f"{shot.name}.png" for shot in screenshots.PAGES]
    for path in written:
        header = path.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", header[16:24]) == (
            screenshots.VIEWPORT["width"],
            screenshots.VIEWPORT["height"],
        )
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for shot in screenshots.PAGES:  # the README shows each picture the script takes
        assert f"docs/assets/screenshots/{shot.name}.png" in readme


def test_copy_button_copies_the_reference_as_rich_and_plain_text(browser, server):
    from kbsite.cite import format_reference

    citation = next(c for c in KB.citations if c.id == "araujo-2024")
    session = Visit(browser, server, permissions=["clipboard-read", "clipboard-write"])
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


REPORT_POLICY_VIOLATIONS = """document.addEventListener('securitypolicyviolation', e =>
  console.error('CSP refused ' + e.blockedURI + ' (' + e.violatedDirective + ')'))"""
"""Makes each request the page's Content-Security-Policy refuses a console error."""


def test_preview_reloads_an_open_page_under_the_content_security_policy(browser, tmp_path):
    """`mkdocs serve` in a real browser: an edited entry reloads the open page by itself.

    The live reload polls the preview server from a script; the pages' Content-Security-Policy
    must let it (and nothing it needs may be refused), or contributors would see stale pages.
    """
    project, entry, heading = small_project_with_entry(tmp_path / "project")
    port = free_port()
    log = tmp_path / "serve.log"
    server = mkdocs_serve(project, port, log)
    context = browser.new_context(**CONTEXT_OPTIONS)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        url = f"http://127.0.0.1:{port}/principles/{entry.stem}/"
        assert wait_for(lambda: heading in fetch(url)), log.read_text(encoding="utf-8")
        page.goto(url, wait_until="load")
        page.evaluate(REPORT_POLICY_VIOLATIONS)
        page.evaluate("window.kbNotReloaded = true")
        renamed = heading.replace(" ", " Renamed ", 1)
        text = entry.read_text(encoding="utf-8")
        entry.write_text(text.replace("\ntitle: ", "\ntitle: Renamed ", 1), encoding="utf-8")
        page.wait_for_function(
            "text => !window.kbNotReloaded && "
            "(document.querySelector('h1')?.innerText ?? '').startsWith(text)",
            arg=renamed,
            timeout=60_000,
        )
        page.evaluate(REPORT_POLICY_VIOLATIONS)
        page.wait_for_timeout(1500)  # the reloaded page polls the server again
        assert problems == [], problems
    finally:
        context.close()
        server.terminate()
        server.wait(timeout=10)
