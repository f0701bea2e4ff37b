"""The only place that knows where pages live and how to link between them."""

from __future__ import annotations

import posixpath

from kbsite.model import Entry, Finding, Principle, Question

FOLDERS = {
    "principle": "principles",
    "benefit": "benefits",
    "limitation": "limitations",
    "citation": "citations",
}
GAPS_PAGE = "evidence/gaps.md"
MATRIX_PAGE = "evidence/index.md"
MAP_PAGE = "evidence/map.md"
CROSS_CUTTING_PAGE = "evidence/cross-cutting.md"


def type_of(entry: Entry) -> str:
    """The entry's type name."""
    if isinstance(entry, Finding):
        return entry.type
    if isinstance(entry, Principle):
        return "principle"
    if isinstance(entry, Question):
        return "question"
    return "citation"


def page_path(entry: Entry) -> str:
    """Path of the entry's page, relative to the docs folder."""
    if isinstance(entry, Question):
        return f"{GAPS_PAGE}#{entry.id}"
    return f"{FOLDERS[type_of(entry)]}/{entry.id}.md"


def index_path(type_name: str) -> str:
    """Path of the index page of one entry type."""
    return f"{FOLDERS[type_name]}/index.md"


def relative(from_page: str, target: str) -> str:
    """A relative link from one page to a path (which may carry a #fragment)."""
    path, _, fragment = target.partition("#")
    link = "" if path == from_page else posixpath.relpath(path, posixpath.dirname(from_page) or ".")
    return f"{link}#{fragment}" if fragment else link


def url_of(page: str) -> str:
    """The site URL of a page under directory URLs, relative to the site root."""
    path, _, fragment = page.partition("#")
    path = path.removesuffix(".md")
    if path == "index":
        path = ""
    elif path.endswith("/index"):
        path = path.removesuffix("index")
    else:
        path += "/"
    return path + (f"#{fragment}" if fragment else "")
