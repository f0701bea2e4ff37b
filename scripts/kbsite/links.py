"""The only place that knows where pages live and how to link between them."""

from __future__ import annotations

import functools
import posixpath

from kbsite.model import Entry
from kbsite.registry import BY_NAME, entry_type_of

HOME_PAGE = "index.md"
CHANGELOG_PAGE = "about/changelog.md"
GAPS_PAGE = "evidence/gaps.md"
GAP_MAP_PAGE = "evidence/index.md"
"""The evidence and gap map, the Evidence section's main page (it replaced the matrix)."""
CROSS_CUTTING_PAGE = "evidence/cross-cutting.md"
TENSIONS_PAGE = "evidence/tensions.md"
CONFIDENCE_PAGE = "evidence/confidence.md"
DATA_PAGE = "evidence/data.md"
TAGS_PAGE = "tags/index.md"
COMPARE_PAGE = "evidence/compare.md"


def guide_table_path(entry: Entry) -> str:
    """Where a guide's full table of outcomes is published (api/guides/<id>.json)."""
    return f"api/guides/{entry.id}.json"


def type_of(entry: Entry) -> str:
    """The entry's type name."""
    return entry.type


def page_path(entry: Entry) -> str:
    """Path of the entry's page, relative to the docs folder."""
    return entry_type_of(entry).page_path(entry.id)


def index_path(type_name: str) -> str:
    """Path of the index page of one entry type."""
    return BY_NAME[type_name].index_path


def relative(from_page: str, target: str) -> str:
    """A relative link from one page to a path (which may carry a #fragment)."""
    path, _, fragment = target.partition("#")
    link = "" if path == from_page else _relative_path(posixpath.dirname(from_page), path)
    return f"{link}#{fragment}" if fragment else link


@functools.lru_cache(maxsize=4096)
def _relative_path(from_dir: str, path: str) -> str:
    # Pure string arithmetic on docs-relative paths; posixpath.relpath would consult the
    # working directory on every one of the many thousand calls a large site makes.
    start = from_dir.split("/") if from_dir else []
    parts = path.split("/")
    common = 0
    while common < min(len(start), len(parts) - 1) and start[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + parts[common:])


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


def html_href(from_page: str, target: str) -> str:
    """A link for raw HTML (which MkDocs does not rewrite), under directory URLs."""
    depth = url_of(from_page).count("/")
    return "../" * depth + url_of(target)
