"""Entry text in pages: plain text stays text under Python-Markdown, Markdown is allow-listed."""

from __future__ import annotations

import copy
import functools

import lxml.html
import markdown
import pytest
import yaml
from jinja2 import Environment

from kbsite.markdown import (
    ALLOWED_TAGS,
    LINK_REL,
    TEXT_CLASS,
    fill_fragments,
    fragment_token,
    markdown_filters,
    md_inline,
    md_url,
    meta_text,
    render_markdown,
    yaml_string,
)

from conftest import REPO

HOSTILE_TEXT = [
    "plain words",
    "<script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "[x](javascript:alert(1))",
    "[x]: javascript:alert(1)",
    'a | b {: onclick="alert(1)" }',
    '{: #id .class style="color:red" }',
    "*bold* _it_ `code` **strong** ~~gone~~ ==mark==",
    "# heading",
    "- item",
    "+ item",
    "> quote",
    "1. first",
    "2024) second",
    "    four spaces",
    ": definition",
    '=== "Tab"',
    "!!! note",
    '<div markdown="1">*x*</div>',
    "a < b && c > d",
    "R&D &amp; &#60; &copy;",
    "back\\slash \\* \\_",
    "![img](https://example.org/x.png)",
    "<https://example.org>",
    "x\x02wzxhzdk:0\x03y",
    "\u202eevil\u202c Ünïcödé 漢字 🙂",
    "two\nlines\n\n- list",
    "a" * 300,
]


@functools.cache
def _site_extensions() -> tuple[list[str], dict[str, dict]]:
    """The Markdown extensions mkdocs.yml configures (read once: 160 cases use them)."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    extensions, configs = [], {}
    for item in config["markdown_extensions"]:
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, {})
        extensions.append(name)
        configs[name] = options or {}
    return extensions, configs


def _site_markdown(source: str) -> str:
    """Python-Markdown with the extensions mkdocs.yml configures, as MkDocs runs it."""
    extensions, configs = _site_extensions()
    return markdown.markdown(
        source, extensions=list(extensions), extension_configs=copy.deepcopy(configs)
    )


@pytest.mark.parametrize("text", HOSTILE_TEXT)
@pytest.mark.parametrize(
    ("template", "element"),
    [
        ("{}", "p"),
        ("# {}", "h1"),
        ("- {}", "li"),
        ("[{}](page.md)", "a"),
        ("| A |\n|---|\n| {} |", "td"),
        ("**{}**", "strong"),
    ],
)
def test_plain_text_stays_text_under_python_markdown(text, template, element):
    html = _site_markdown(template.format(md_inline(text)))
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    holders = root.findall(f".//{element}")
    assert len(holders) == 1, html
    holder = holders[0]
    assert len(holder) == 0 or (element == "h1" and [c.tag for c in holder] == ["a"]), html
    assert holder.text == " ".join(text.split()).replace("\x02", "\ufffd").replace(
        "\x03", "\ufffd"
    ), html
    for node in root.iter():
        assert not any(name.startswith("on") or name == "style" for name in node.attrib), html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("R&D", "R&amp;D"),
        ("1. first", "1&#46; first"),
        ("{: .class}", "&#123;&#58; .class&#125;"),
        ("two\nlines", "two lines"),
    ],
)
def test_inline_text_is_written_as_character_references(text, expected):
    assert md_inline(text) == expected


def _elements(html: str) -> list[lxml.html.HtmlElement]:
    return list(lxml.html.fragment_fromstring(html, create_parent="div").iterdescendants())


@pytest.mark.parametrize(
    "source",
    [
        '{: onclick="alert(1)" }\n\nText {: onclick="alert(1)" }',
        '[x](https://example.org){: onclick="alert(1)" style="color:red" }',
        "[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [z](  javascript:alert(1))",
        "> [x]\n>\n> [x]: javascript:alert(1)",
        "- [x][r]\n\n  [r]: data:text/html;base64,PHNjcmlwdD4=",
        "[v](vbscript:msgbox) [f](file:///etc/passwd) [r](../relative.md) [h](#anchor)",
        "<script>alert(1)</script><img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a> <style>*{color:red}</style>',
        "![x](https://example.org/track.png)",
        "<javascript:alert(1)> <data:text/html,x>",
        "# Heading\n\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nfence\n```\n\n    indented",
        '[x](https://example.org "title onmouseover=alert(1)")',
        "&lt;script&gt; &#106;avascript:alert(1)",
        "> " * 200 + "deep",
        "- " * 200 + "deep",
    ],
)
def test_markdown_fields_produce_only_allow_listed_html(source):
    html = render_markdown(source)
    for element in _elements(html):
        assert element.tag in ALLOWED_TAGS, html
        allowed = {"href", "rel"} if element.tag == "a" else set()
        assert set(element.attrib) <= allowed, html
        if element.tag == "a":
            assert element.get("href").startswith(("https://", "http://", "mailto:")), html
            assert element.get("rel") == LINK_REL


def test_legitimate_markdown_is_kept():
    html = render_markdown(
        "Some *emphasis*, **strong** and `code`.\n\n- one\n- two [link](https://example.org/a)\n\n"
        "1. first\n2. second\n\n> quoted\n\nMail [us](mailto:kb@example.org). Line  \nbreak."
    )
    tags = [element.tag for element in _elements(html)]
    for tag in ("p", "em", "strong", "code", "ul", "ol", "li", "blockquote", "a", "br"):
        assert tag in tags, html
    assert '<a href="https://example.org/a" rel="nofollow noopener noreferrer">link</a>' in html


def test_disallowed_links_are_shown_as_their_text():
    html = render_markdown("[click](javascript:alert(1))")
    assert lxml.html.fragment_fromstring(html).text_content() == "[click](javascript:alert(1))"


def test_code_spans_show_exactly_what_was_written():
    html = render_markdown("Use `a < b && c` and `&lt;` and `*not em*`.")
    codes = [e.text_content() for e in _elements(html) if e.tag == "code"]
    assert codes == ["a < b && c", "&lt;", "*not em*"]
    assert "<code>a &lt; b &amp;&amp; c</code>" in html


def test_fragments_are_swapped_in_after_python_markdown():
    env = Environment(autoescape=False)  # noqa: S701 - the filters escape
    env.filters.update(markdown_filters())
    fragments: dict[str, str] = {}
    source = "*hi* `{: onclick=x }`"
    page = env.from_string("# Title\n\n{{ text | md_block }}\n").render(
        text=source, fragments=fragments
    )
    token = fragment_token(source)
    assert fragments == {token: render_markdown(source)}
    assert source not in page
    html = fill_fragments(_site_markdown(page), fragments)
    assert (
        f'<div class="{TEXT_CLASS}">\n<p><em>hi</em> <code>{{: onclick=x }}</code></p>\n</div>'
        in html
    )


def test_unknown_or_embedded_tokens_stay_words():
    token = fragment_token("x")
    html = f"<p>{token}</p><h1>{token}</h1><p>before {token}</p>"
    assert fill_fragments(html, {}) == html
    filled = fill_fragments(html, {token: "<p>x</p>"})
    assert filled.count(token) == 2


def test_urls_cannot_close_a_markdown_link():
    assert md_url("https://example.org/a b)c") == "https://example.org/a%20b%29c"


def test_metadata_text_is_html_escaped_on_one_line():
    assert meta_text("a < b && \"c\"\n'd'") == "a &lt; b &amp;&amp; &quot;c&quot; &#x27;d&#x27;"


def test_front_matter_strings_are_quoted():
    assert yaml_string('say "hi"\n--- x') == '"say \\"hi\\" --- x"'
