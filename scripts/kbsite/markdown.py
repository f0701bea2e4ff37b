"""Entry text made inert for every place it lands: Markdown pages, HTML, page metadata.

Two kinds of entry text exist. Plain text (titles, summaries, findings, locators, names) goes
into the generated Markdown pages with every ASCII punctuation character that Python-Markdown
or one of its extensions could read as syntax written as a character reference, so that
Python-Markdown sees nothing but words and entities (`md_inline`). Markdown fields
(descriptions, details) are rendered once, here, by markdown-it-py with a small set of rules
and HTML off, and the result is passed through the nh3 allow-list sanitiser (`render_markdown`).
That HTML never goes through Python-Markdown: the page carries an opaque token in its place
(`md_block`), and the MkDocs hook swaps the HTML in after Python-Markdown ran
(`fill_fragments`).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
from typing import Any
from urllib.parse import quote

import nh3
from jinja2 import pass_context
from jinja2.runtime import Context
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset({"p", "em", "strong", "code", "ul", "ol", "li", "blockquote", "a", "br"})
"""The only elements entry Markdown can produce."""
ALLOWED_ATTRIBUTES = {"a": frozenset({"href"})}
"""The only attribute entry Markdown can produce (nh3 adds the site's own `rel`)."""
URL_SCHEMES = frozenset({"https", "http", "mailto"})
"""Link schemes entry Markdown may use; any other link is shown as its text."""
LINK_REL = "nofollow noopener noreferrer"
"""The `rel` every link in entry text gets: it points outside the site, written by a stranger."""
TEXT_CLASS = "kb-text"
"""Class of the element that holds rendered entry Markdown on a page."""

_MARKDOWN_RULES = (
    "blockquote",
    "list",
    "reference",
    "newline",
    "escape",
    "backticks",
    "emphasis",
    "link",
    "autolink",
    "entity",
)
_ALLOWED_URL = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
_FRAGMENT_TOKEN = re.compile(r"<p>(kbsitefragment[0-9a-f]{32})</p>")


def _allowed_url(url: str) -> bool:
    return bool(_ALLOWED_URL.match(url.strip()))


@functools.cache
def _markdown_parser() -> MarkdownIt:
    """CommonMark with only the rules entry text may use; raw HTML is shown as text."""
    parser = MarkdownIt(
        "zero", {"html": False, "linkify": False, "typographer": False, "maxNesting": 20}
    )
    parser.enable(list(_MARKDOWN_RULES))
    parser.validateLink = _allowed_url  # type: ignore[method-assign]
    return parser


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Second line of defence: an `href` survives only with an allowed scheme."""
    if tag == "a" and attribute == "href":
        return value if _allowed_url(value) else None
    return value


@functools.cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        # "*" stated as empty: nh3 otherwise keeps `lang` and `title` on every element.
        attributes={"*": set(), **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}},
        attribute_filter=_keep_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        generic_attribute_prefixes=set(),
    )


@functools.lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Entry Markdown as sanitised HTML: the allow-listed elements, `href` and `rel` only."""
    source = str(text).replace("\r\n", "\n")
    return _cleaner().clean(_markdown_parser().render(source)).strip()


def fragment_token(text: str) -> str:
    """The opaque word that stands for a Markdown field in a generated page."""
    digest = hashlib.sha256(str(text).encode("utf-8")).hexdigest()[:32]
    return f"kbsitefragment{digest}"


@pass_context
def md_block(context: Context, text: str) -> str:
    """Jinja filter: a token for the page, and the field's sanitised HTML in `fragments`.

    The page being rendered passes a `fragments` dict in its context; the token is letters
    and digits only, so Python-Markdown turns it into a paragraph of its own and nothing else.
    """
    token = fragment_token(text)
    fragments: dict[str, str] = context["fragments"]
    fragments[token] = render_markdown(text)
    return token


def fill_fragments(html: str, fragments: dict[str, str]) -> str:
    """Swap each token paragraph of a page rendered by Python-Markdown for its sanitised HTML.

    Only a token alone in its paragraph is replaced, and only by HTML rendered here: a token
    typed into some other entry text stays the word it is.
    """

    def swap(match: re.Match[str]) -> str:
        fragment = fragments.get(match.group(1))
        if fragment is None:
            return match.group(0)
        return f'<div class="{TEXT_CLASS}">\n{fragment}\n</div>'

    return _FRAGMENT_TOKEN.sub(swap, html)


# Every ASCII punctuation character Python-Markdown, attr_list, tables, def_list, md_in_html,
# pymdownx or the toc extension could read as syntax. Left as they are: , . ; ? / ' % @ $ ^
_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_SYNTAX = frozenset('\\`*_{}[]()#+-!<>&|=~":')
_LEADING_NUMBER = re.compile(r"^(\d+)\.")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x9f]")
"""Controls have no place in text; STX and ETX would also forge Python-Markdown's own
placeholders. (The validator refuses them; this keeps the page inert regardless.)"""


def _reference(char: str) -> str:
    return _NAMED.get(char) or f"&#{ord(char)};"


def md_inline(text: str) -> str:
    """Plain text shown inline: Python-Markdown sees only words and character references.

    Each character reference stands for exactly one character, so the page shows what was
    written, escaped once, and no extension finds a marker, an attribute list or a tag.
    """
    text = _CONTROL.sub("\ufffd", " ".join(str(text).split()))
    text = "".join(_reference(char) if char in _SYNTAX else char for char in text)
    return _LEADING_NUMBER.sub(r"\1&#46;", text)  # "2024. ..." would start an ordered list


def md_url(url: str) -> str:
    """A URL made safe to place inside `(...)` of a Markdown link."""
    return quote(str(url), safe=":/?#=&%@+,;~!$'*-._")


def meta_text(text: str) -> str:
    """Text for page metadata (title, description, navigation): HTML-escaped, on one line.

    Material prints these into the page as they are (`page.meta.title` in <title>, the
    description in its attribute, navigation titles in links), so they must be HTML already.
    """
    return html.escape(" ".join(str(text).split()), quote=True)


def yaml_string(text: str) -> str:
    """A front-matter scalar; JSON strings are valid YAML double-quoted scalars."""
    return json.dumps(" ".join(str(text).split()), ensure_ascii=False)


def script_json(data: Any) -> str:
    """Data as JSON for a `<script type="application/json">` element.

    No text in it can end the element early (`</script>`) or turn into markup: <, > and &
    are written as escapes.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def code_block(text: str, language: str = "text", indent: int = 0) -> str:
    """A fenced code block whose fence no line of the text can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    lines = [f"{fence}{language}", *text.rstrip("\n").split("\n"), fence]
    pad = " " * indent
    return "\n".join(pad + line if line else line for line in lines)


def markdown_filters() -> dict[str, Any]:
    """The Jinja filters that put entry text into a Markdown page."""
    return {
        "md": md_inline,
        "cell": md_inline,
        "md_block": md_block,
        "url": md_url,
        "yaml": yaml_string,
        "meta": meta_text,
        "code": code_block,
    }
