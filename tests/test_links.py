import posixpath

import pytest

from kbsite.links import relative, url_of

PAGES = [
    "index.md",
    "tags.md",
    "principles/index.md",
    "principles/versioning.md",
    "benefits/a.md",
    "evidence/index.md",
    "evidence/gaps.md",
    "api/kb.json",
    "a/b/c.md",
]


@pytest.mark.parametrize("source", PAGES)
@pytest.mark.parametrize("target", [*PAGES, "evidence/gaps.md#question-id"])
def test_relative_links_agree_with_posixpath(source, target):
    path, _, fragment = target.partition("#")
    expected = "" if path == source else posixpath.relpath(path, posixpath.dirname(source) or ".")
    assert relative(source, target) == expected + (f"#{fragment}" if fragment else "")


@pytest.mark.parametrize(
    ("page", "url"),
    [
        ("index.md", ""),
        ("principles/index.md", "principles/"),
        ("principles/versioning.md", "principles/versioning/"),
        ("evidence/gaps.md#q", "evidence/gaps/#q"),
    ],
)
def test_site_urls_follow_directory_urls(page, url):
    assert url_of(page) == url
