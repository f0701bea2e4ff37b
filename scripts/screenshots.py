"""README screenshots taken from the real build (`make screenshots`).

Serves the built site on 127.0.0.1 and photographs the pages listed in PAGES with Playwright
and Debian's Chromium, in light mode at 1,280 x 860 pixels, into docs/assets/screenshots/.
Any request to another host is refused and fails the run, as in the browser tests.

To add a picture, add a row to PAGES and an image line to README.md.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Shot:
    """One screenshot: its file name, the page address, and what to scroll into view."""

    name: str
    path: str
    anchor: str = ""
    """A CSS selector scrolled to the top of the window (below the header), or the top."""


PAGES: tuple[Shot, ...] = (
    Shot("home", "/"),
    Shot("gap-map", "/evidence/", "#kb-gap-status"),
    Shot("principle", "/principles/ci-cd-automation/", "#relationship-map"),
    Shot("finding", "/benefits/pays-off-for-larger-applications/", "#confidence"),
    Shot(
        "compare",
        "/evidence/compare/?studies=araujo-2024-study,dileepkumar-2025-study,john-2025-study",
        "#kb-compare-status",
    ),
)
"""The README's pictures, in its order."""

VIEWPORT = {"width": 1280, "height": 860}
HEADER_ROOM = 72
"""Pixels left above a scrolled-to anchor for the site's sticky header."""
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ANIMATIONS_DONE = "() => document.getAnimations().every(a => a.playState !== 'running')"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """The site on an ephemeral port of 127.0.0.1, for the duration of the block."""
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def take(browser: Any, server: str, out: Path, pages: Sequence[Shot] = PAGES) -> list[Path]:
    """Photograph each page with a Playwright browser; return the files written.

    Raises RuntimeError when a page asks for another host or shows a script error, so that
    a picture never shows a broken page.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = []
    context = browser.new_context(
        viewport=VIEWPORT, device_scale_factor=1, color_scheme="light", reduced_motion="reduce"
    )
    problems: list[str] = []

    def route(route: Any) -> None:
        if route.request.url.startswith((server, "data:", "blob:", "about:")):
            route.continue_()
        else:
            problems.append(f"outside request: {route.request.url}")
            route.abort()

    context.route("**/*", route)
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        for shot in pages:
            # The pages request nothing after `load` (the browser tests check it): no waiting
            # for the network to stay idle, only for the fonts the page has asked for.
            response = page.goto(server + shot.path, wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            if response is None or response.status != 200:
                problems.append(f"{shot.path}: HTTP {response.status if response else '?'}")
            if shot.anchor:
                found = page.evaluate(
                    """([selector, room]) => { const e = document.querySelector(selector);
                       if (!e) { return false; }
                       window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - room);
                       return true; }""",
                    [shot.anchor, HEADER_ROOM],
                )
                if not found:
                    problems.append(f"{shot.path}: nothing matches {shot.anchor}")
            page.wait_for_function(ANIMATIONS_DONE, timeout=5000)
            if problems:
                raise RuntimeError("; ".join(problems))
            target = out / f"{shot.name}.png"
            page.screenshot(path=str(target))
            written.append(target)
    finally:
        context.close()
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Take every screenshot of PAGES (or those named) from a built site."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO / "site", help="the built site")
    parser.add_argument(
        "--out", type=Path, default=REPO / "docs" / "assets" / "screenshots", help="folder"
    )
    parser.add_argument("names", nargs="*", help="only these screenshots (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - {shot.name for shot in PAGES})
    if unknown:
        parser.error(
            f"unknown screenshot {', '.join(unknown)}; known: "
            + ", ".join(shot.name for shot in PAGES)
        )
    if not (args.site / "index.html").is_file():
        print(f"{args.site}: no built site here; run `make build` first", file=sys.stderr)
        return 1
    if not Path(CHROMIUM).exists():
        print("Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    chosen = [shot for shot in PAGES if not args.names or shot.name in args.names]
    with serve(args.site) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for path in take(browser, server, args.out, chosen):
                print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
        except RuntimeError as error:
            print(f"screenshots not taken: {error}", file=sys.stderr)
            return 1
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
