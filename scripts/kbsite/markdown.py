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
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import nh3
from jinja2 import pass_context
from jinja2.runtime import Context
from markdown_it import MarkdownIt, rules_block, rules_inline
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

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


@dataclass(frozen=True)
class WrittenLink:
    """A link destination written in entry Markdown, as the renderer's parser reads it."""

    kind: str
    """`link` (`[text](url)`), `reference` (`[label]: url`) or `autolink` (`<url>`)."""
    written: str
    """The destination as written (entities, escapes, case and all)."""
    url: str
    """The destination as the renderer reads it (entities and escapes decoded)."""
    offset: int
    """Where the destination starts in the text, in characters."""

    @property
    def allowed(self) -> bool:
        """Whether the renderer keeps this link (otherwise it shows the text instead).

        The same test on the same normalised URL as the renderer's `validateLink`.
        """
        return _allowed_url(normalizeLink(self.url))


class _Finder:
    """Records every link destination while markdown-it-py parses, wherever it is nested.

    The parser has the renderer's rules and options, but accepts every destination, so links
    the renderer would drop are parsed as links and can be reported where they are written.
    """

    def __init__(self, parser: MarkdownIt) -> None:
        self.links: list[WrittenLink] = []
        self.parser = parser
        # The rules are markdown-it-py's own, each wrapped to note where its link is written
        # (none of the three interrupts another block or inline rule: no `alt` to keep).
        parser.inline.ruler.at("link", self._inline(rules_inline.link, self._inline_link))
        parser.inline.ruler.at("autolink", self._inline(rules_inline.autolink, self._autolink))
        parser.block.ruler.at("reference", self._reference(rules_block.reference))

    @staticmethod
    def _inline(rule: Any, destination: Any) -> Any:
        def wrapped(state: StateInline, silent: bool) -> bool:
            start, pushed = state.pos, len(state.tokens)
            if not rule(state, silent):
                return False
            if not silent:
                found = destination(state, start)
                opening = next(t for t in state.tokens[pushed:] if t.type == "link_open")
                if found is not None:
                    opening.meta["kb_destination"] = found
            return True

        return wrapped

    @staticmethod
    def _inline_link(state: StateInline, start: int) -> tuple[int, str, str] | None:
        """`[text](url)`: where url starts in the inline source; None for `[text][label]`."""
        saved = state.pos
        state.pos = start
        label_end = state.md.helpers.parseLinkLabel(state, start, True)
        state.pos = saved
        position = label_end + 1
        if label_end < 0 or state.src[position : position + 1] != "(":
            return None  # a use of a reference definition, which is reported itself
        position += 1
        while position < len(state.src) and state.src[position] in " \t\n":
            position += 1
        result = state.md.helpers.parseLinkDestination(state.src, position, len(state.src))
        return _unbracketed(state.src, position, result.pos, result.str)

    @staticmethod
    def _autolink(state: StateInline, start: int) -> tuple[int, str, str]:
        end = state.src.index(">", start)
        written = state.src[start + 1 : end]
        return start + 1, written, written if ":" in written else f"mailto:{written}"

    def _reference(self, rule: Any) -> Any:
        def wrapped(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
            if not rule(state, start_line, end_line, silent):
                return False
            if not silent:
                self._record_reference(state, start_line, state.line)
            return True

        return wrapped

    def _record_reference(self, state: StateBlock, first: int, last: int) -> None:
        """`[label]: url`, read from its lines as they are inside any quote or list."""
        text, offsets = "", []
        for line in range(first, last):
            begin = state.bMarks[line] + state.tShift[line]
            text += state.src[begin : state.eMarks[line]] + "\n"
            offsets += [*range(begin, state.eMarks[line]), state.eMarks[line]]
        position = 1
        while position < len(text) and text[position] != "]":
            position += 2 if text[position] == "\\" else 1
        position += 2  # past `]:`
        while position < len(text) and text[position] in " \t\n":
            position += 1
        result = state.md.helpers.parseLinkDestination(text, position, len(text))
        if result.ok:
            start, written, url = _unbracketed(text, position, result.pos, result.str)
            self.links.append(WrittenLink("reference", written, url, offsets[start]))

    def find(self, source: str) -> list[WrittenLink]:
        self.links = []
        tokens = self.parser.parse(source, {})
        lines = source.split("\n")
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line) + 1)
        for token in tokens:
            if token.type != "inline" or token.map is None:
                continue
            for child in token.children or ():
                found = child.meta.get("kb_destination") if child.type == "link_open" else None
                if found is None:
                    continue
                position, written, url = found
                kind = "autolink" if child.markup == "autolink" else "link"
                offset = _source_offset(token.content, position, lines, starts, token.map[0])
                self.links.append(WrittenLink(kind, written, url, offset))
        return sorted(self.links, key=lambda link: link.offset)


def _unbracketed(source: str, start: int, end: int, url: str) -> tuple[int, str, str]:
    """A destination's start, text and URL; `<url>` is reported by what is inside the `<>`."""
    if source[start : start + 1] == "<":
        return start + 1, source[start + 1 : end - 1], url
    return start, source[start:end], url


def _source_offset(
    content: str, position: int, lines: list[str], starts: list[int], first: int
) -> int:
    """Where a position in a paragraph's inline source lies in the whole text.

    Each line of the inline source is its text line without the block prefix (quote marks,
    list indentation), so it ends the text line: the prefix is what the text line has more.
    """
    index = content.count("\n", 0, position)
    column = position - (content.rfind("\n", 0, position) + 1)
    own = content.split("\n")[index].rstrip()
    line = lines[first + index].rstrip()
    prefix = len(line) - len(own) if line.endswith(own) else max(line.find(own), 0)
    return starts[first + index] + prefix + column


@functools.cache
def _finder() -> _Finder:
    parser = MarkdownIt(
        "zero", {"html": False, "linkify": False, "typographer": False, "maxNesting": 20}
    )
    parser.enable(list(_MARKDOWN_RULES))
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return _Finder(parser)


def written_links(text: str) -> list[WrittenLink]:
    """Every link destination in entry Markdown, in the order written.

    Inline links, reference definitions (also inside block quotes and list items) and
    autolinks, each with the URL the renderer reads and whether it keeps the link.
    """
    return _finder().find(str(text).replace("\r\n", "\n"))


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


_REFERENCES = {ord(char): _reference(char) for char in _SYNTAX}


def md_inline(text: str) -> str:
    """Plain text shown inline: Python-Markdown sees only words and character references.

    Each character reference stands for exactly one character, so the page shows what was
    written, escaped once, and no extension finds a marker, an attribute list or a tag.
    """
    return _md_inline(str(text))


@functools.lru_cache(maxsize=65536)
def _md_inline(text: str) -> str:
    # Kept per process: a title is shown on every page that lists its entry (50,000 calls
    # for a knowledge base of 1,000 entries).
    text = _CONTROL.sub("\ufffd", " ".join(text.split())).translate(_REFERENCES)
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
