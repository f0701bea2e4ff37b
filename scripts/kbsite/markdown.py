"""Escaping of entry text for Markdown, so no entry can inject HTML, links or layout."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

# Characters Python-Markdown (with the tables and attr_list extensions) treats as syntax and
# accepts a backslash escape for; `<` and `&` have no escape and become entities instead.
_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]#|])")
_LINE_START = re.compile(r"^(\s*)([-+>=]|\d+[.)])")


def md_inline(text: str) -> str:
    """Plain text shown inline: every Markdown or HTML meaning is neutralised."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(
        lambda m: (
            m.group(1) + "\\" + m.group(2)
            if m.group(2)[0] in "-+="
            else m.group(1) + _escape_number(m.group(2))
        ),
        text,
    )


def _escape_number(marker: str) -> str:
    return marker[:-1] + "\\" + marker[-1]



def md_block(text: str) -> str:
    """Markdown written by contributors: kept as Markdown, but raw HTML cannot get through."""
    text = str(text).replace("\r\n", "\n").strip("\n")
    return text.replace("&", "&amp;").replace("<", "&lt;")


def md_url(url: str) -> str:
    """A URL made safe to place inside `(...)` of a Markdown link."""
    return quote(str(url), safe=":/?#=&%@+,;~!$'*-._")


def meta_text(text: str) -> str:
    """Text for page metadata (title, description, navigation), which themes print unescaped.

    Material prints these without escaping, and its `striptags` filter turns entities back into
    characters inside <title>. So `<` and `>` cannot be entities here: they become the
    look-alike single angle quotes, while `&` and `"` become entities, which are safe either way.
    """
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace('"', "&quot;")
    return text.replace("<", "\u2039").replace(">", "\u203a")


def yaml_string(text: str) -> str:
    """A front-matter scalar; JSON strings are valid YAML double-quoted scalars."""
    return json.dumps(" ".join(str(text).split()), ensure_ascii=False)


def code_block(text: str, language: str = "text", indent: int = 0) -> str:
    """A fenced code block whose fence no line of the text can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    lines = [f"{fence}{language}", *text.rstrip("\n").split("\n"), fence]
    pad = " " * indent
    return "\n".join(pad + line if line else line for line in lines)
