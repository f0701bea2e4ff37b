"""The hostile corpus built into a real site: every place entry text lands stays inert.

The pages are parsed, not searched as strings, so payloads shown as text (in a code block or a
heading) are told apart from payloads that became markup.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
import yaml

from kbsite.markdown import ALLOWED_TAGS, LINK_REL, TEXT_CLASS

from hostile_corpus import HOSTILE_PREFIX, MARKDOWN, PLAIN, hostile_site

URL_ATTRIBUTES = (
    "href",
    "src",
    "action",
    "formaction",
    "srcset",
    "poster",
    "data",
    "{http://www.w3.org/1999/xlink}href",
    "background",
    "cite",
)
BAD_SCHEME = re.compile(r"^\s*(?:javascript|data|vbscript|file):", re.IGNORECASE)
MIN_HOSTILE_ENTRIES = 40
FOREIGN = frozenset(
    {
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "base",
        "frame",
        "frameset",
        "applet",
        "math",
        "template",
        "portal",
    }
)
"""Elements neither the theme nor the build ever emits."""


@pytest.fixture(scope="module")
def site() -> Path:
    return hostile_site()[0]


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@functools.cache
def _parse(path: Path) -> lxml.html.HtmlElement:
    """A page's tree, parsed once for all tests (which only read it)."""
    return lxml.html.fromstring(path.read_bytes())


def _hostile_sources() -> dict[str, dict]:
    """The corpus entries as written, by page folder (e.g. benefits/hostile-benefit-0)."""
    root = hostile_site()[0].parent / "project" / "kb"
    return {
        f"{path.parent.name}/{path.stem}": yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted(root.glob(f"*/{HOSTILE_PREFIX}*.yaml"))
    }


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_corpus_is_large_and_every_entry_is_built(site):
    sources = _hostile_sources()
    assert len(sources) == hostile_site()[1] >= MIN_HOSTILE_ENTRIES
    for folder, entry in sources.items():
        if folder.startswith(("questions/", "outcomes/")):  # shown on the gaps and map pages
            continue
        assert (site / folder / "index.html").is_file(), folder
        assert entry["title"]


def where_head(element) -> bool:
    """Whether an element sits in the page's <head>, where the theme puts link and meta."""
    return any(parent.tag == "head" for parent in element.iterancestors())


def _check_markup(root, where: str) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            assert not local.lower().startswith("on"), f"{where}: {element.tag} {name}={value!r}"
            if name in URL_ATTRIBUTES:
                assert not BAD_SCHEME.match(value), f"{where}: {element.tag} {name}={value!r}"
        if element.tag == "script" and element.get("type") == "application/json":
            json.loads(element.text)  # data, which a script reads as data
        elif element.tag in ("script", "style"):
            assert "alert(" not in (element.text or ""), where
        assert element.tag not in FOREIGN, where
        if element.tag in ("link", "meta"):
            assert where_head(element), where
            assert element.get("http-equiv", "").lower() != "refresh", where
        if element.tag == "img":  # the theme's logo only: a file of this site
            assert not re.match(
                r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", element.get("src", ""), re.IGNORECASE
            ), where


def test_no_page_carries_a_handler_a_script_url_or_a_foreign_element(site):
    for path in _pages(site):
        _check_markup(_parse(path), path.relative_to(site).as_posix())


def test_style_attributes_are_only_the_themes(site, built_site):
    """The only inline styles are of the kinds the real site has too (table alignment, theme,
    the drawing boxes the build sizes): compared with their numbers left out, as the sizes
    come from the build's layout of the hostile corpus, not from its text."""

    def styles(folder: Path) -> set[str]:
        found = set()
        for path in _pages(folder):
            found |= {
                re.sub(r"\d+(\.\d+)?", "N", e.get("style"))
                for e in _parse(path).iter()
                if isinstance(e.tag, str) and e.get("style") is not None
            }
        return found

    assert styles(site) <= styles(built_site)


def test_entry_markdown_holds_only_allow_listed_markup(site):
    containers = 0
    for path in _pages(site):
        for container in _parse(path).find_class(TEXT_CLASS):
            containers += 1
            assert set(container.attrib) == {"class"}
            for element in container.iterdescendants():
                where = f"{path.relative_to(site)}: {lxml.html.tostring(element)[:200]!r}"
                assert element.tag in ALLOWED_TAGS, where
                if element.tag == "a":
                    assert set(element.attrib) == {"href", "rel"}, where
                    assert element.get("href").startswith(("https://", "http://", "mailto:"))
                    assert element.get("rel") == LINK_REL
                else:
                    assert not element.attrib, where
    assert containers >= len(MARKDOWN)
    for path in _pages(site):
        assert "kbsitefragment" not in path.read_text(encoding="utf-8"), path


def test_plain_text_is_shown_as_written_once(site):
    for folder, entry in _hostile_sources().items():
        if folder.startswith(("questions/", "guides/", "outcomes/")):
            continue
        root = _parse(site / folder / "index.html")
        heading = root.find(".//article//h1")
        assert [child.tag for child in heading] in ([], ["a"]), folder  # the permalink only
        assert _squash(heading.text_content()).removesuffix("¶").strip() == _squash(
            entry["title"]
        ), folder
        assert root.find(".//title").text.startswith(_squash(entry["title"])), folder
        description = root.find(".//meta[@name='description']").get("content")
        assert description == _squash(entry.get("summary", entry.get("population"))), folder
        text = _squash(root.find(".//article").text_content())
        assert _squash(entry.get("summary", entry.get("population"))) in text, folder
        for item in entry.get("evidence", ()):
            assert _squash(item["finding"]) in text, folder
            assert _squash(item["locator"]) in text, folder


def test_code_spans_show_exactly_what_was_written(site):
    index = next(i for i, text in enumerate(MARKDOWN) if "`a < b && c`" in text)
    folder = (
        f"{'benefits' if index % 2 == 0 else 'limitations'}/{HOSTILE_PREFIX}"
        f"{'benefit' if index % 2 == 0 else 'limitation'}-{index}"
    )
    root = _parse(site / folder / "index.html")
    codes = [code.text_content() for code in root.find_class(TEXT_CLASS)[0].iter("code")]
    assert codes == ["a < b && c"]


def test_navigation_and_toc_hold_text_only(site):
    titles = {
        _squash(e["title"])
        for folder, e in _hostile_sources().items()
        if folder.startswith(("benefits/", "limitations/"))
    }
    seen = set()
    for path in _pages(site):
        root = _parse(path)
        for nav in root.iter("nav"):
            _check_markup(nav, str(path))
            for link in nav.iter("a"):
                assert all(child.tag in ("span", "img") for child in link.iterdescendants())
                seen.add(_squash(link.text_content()))
    assert titles <= seen  # every hostile finding is listed in the navigation, as written


def test_search_index_holds_text_and_the_searchs_own_tags(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    search_tags = {"p", "li", "ul", "ol", "code", "pre"}
    texts = []
    for doc in index["docs"]:
        for field in ("title", "text"):
            fragment = lxml.html.fragment_fromstring(f"<div>{doc[field]}</div>")
            _check_markup(fragment, doc["location"])
            for element in fragment.iterdescendants():
                assert element.tag in search_tags, (doc["location"], doc[field][:200])
                assert not element.attrib, (doc["location"], doc[field][:200])
            texts.append(_squash(fragment.text_content()))
    everything = " ".join(texts)
    assert "kbsitefragment" not in everything
    for text in PLAIN:
        assert _squash(text) in everything, text


MAP_TAGS = {"svg", "title", "desc", "g", "path", "rect", "text", "tspan", "a"}


def test_relationship_maps_hold_drawing_elements_only_and_the_titles_as_text(site):
    findings = {
        folder: entry
        for folder, entry in _hostile_sources().items()
        if folder.startswith(("benefits/", "limitations/")) and entry["principles"]
    }
    assert findings
    shown: dict[str, set[str]] = {}
    for path in sorted(site.glob("principles/*/index.html")):
        for svg in _parse(path).iter("svg"):
            where = f"{path.relative_to(site)}: map"
            _check_markup(svg, where)
            assert {element.tag for element in svg.iter()} <= MAP_TAGS, where
            for node in svg.iter("a"):
                assert set(node.attrib) == {"class", "href", "aria-label"}, where
                assert node.get("href").startswith("../../"), where  # a page of this site
                lines = [
                    span.text or ""
                    for span in node.iter("tspan")
                    if "kb-map__detail" not in span.get("class", "")
                ]
                shown.setdefault(node.get("aria-label"), set()).add("".join(lines))
    for folder, entry in findings.items():
        kind = folder.split("/")[0][:-1]
        title = _squash(entry["title"])
        labels = [label for label in shown if label.startswith(f"{title}: {kind}, ")]
        assert labels, title
        # Every drawing shows the whole title (wrapped into lines, so compared without spaces).
        assert {text.replace(" ", "") for label in labels for text in shown[label]} == {
            title.replace(" ", "")
        }, title


GAP_MAP_TAGS = MAP_TAGS | {"clipPath", "line"}


def test_gap_map_holds_drawing_elements_only_and_the_outcome_titles_as_text(site):
    outcomes = {
        folder: entry
        for folder, entry in _hostile_sources().items()
        if folder.startswith("outcomes/")
    }
    assert outcomes
    root = _parse(site / "evidence" / "index.html")
    _check_markup(root, "evidence/index.html")
    headings = []
    drawings = root.find_class("kb-gap__svg")
    assert len(drawings) == 2
    for svg in drawings:
        assert {element.tag for element in svg.iter()} <= {t.lower() for t in GAP_MAP_TAGS}
        for node in svg.iter("a"):
            assert node.get("href").startswith(("#", "../")), node.get("href")  # this site
        headings += [
            "".join((s.text or "") for s in h.iter("tspan")).replace(" ", "")
            for h in svg.find_class("kb-gap__heading")
        ]
    table = _squash(root.find(".//table").text_content())
    for entry in outcomes.values():
        assert headings.count(_squash(entry["title"]).replace(" ", "")) == 2, entry["title"]
        assert _squash(entry["title"]) in table
    groups = _squash(root.find_class("kb-gap__groups")[0].text_content())
    for entry in outcomes.values():
        assert _squash(entry["summary"]) in groups


def test_json_export_carries_the_text_as_data(site):
    data = json.loads((site / "api" / "kb.json").read_text(encoding="utf-8"))
    flat = json.dumps(data, ensure_ascii=False)
    for folder, entry in _hostile_sources().items():
        assert json.dumps(entry["title"], ensure_ascii=False) in flat, folder
    for key, value in _walk(data):
        if key in ("url", "href", "link_url"):
            assert not BAD_SCHEME.match(value), (key, value)


def _walk(value, key=""):
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _walk(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, key)
    elif isinstance(value, str):
        yield key, value


def test_guide_page_keeps_questions_and_data_as_text(site):
    entry = _hostile_sources()[f"guides/{HOSTILE_PREFIX}guide"]
    root = _parse(site / "guides" / f"{HOSTILE_PREFIX}guide" / "index.html")
    legends = [_squash(legend.text_content()) for legend in root.iter("legend")]
    assert legends == [_squash(q["text"]) for q in entry["questions"]]
    data = json.loads(root.get_element_by_id("kb-guide-data").text)
    assert data["subjectHeading"] == entry["subject_heading"]
    scripts = [s for s in root.iter("script") if s.get("type") == "application/json"]
    assert all("</" not in (s.text or "") for s in scripts)


POLICY = "Content-Security-Policy"


@pytest.mark.parametrize("which", ["hostile", "real"])
def test_every_page_tells_the_browser_to_load_nothing_from_another_host(site, built_site, which):
    """The policy comes first in the head, before any script, style or link can load, and
    names no host: every source is the site itself ('self'), inline code, data: or blob:."""
    folder = site if which == "hostile" else built_site
    for path in _pages(folder):
        head = _parse(path).find("head")
        loading = [e for e in head if e.tag in ("script", "link", "style", "base")]
        policies = head.findall(f"meta[@http-equiv='{POLICY}']")
        assert len(policies) == 1, path
        assert not loading or list(head).index(policies[0]) < list(head).index(loading[0]), path
        for directive in policies[0].get("content").split(";"):
            name, *sources = directive.split()
            assert set(sources) <= {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}, (
                path,
                name,
            )
        assert "default-src 'self'" in policies[0].get("content"), path
