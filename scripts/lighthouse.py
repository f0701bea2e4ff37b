"""Lighthouse benchmark: scores and page weight of the main page types, printed as a table.

Run with `make lighthouse`. It builds the site, serves site/ on 127.0.0.1 with gzip (as static
hosts do) and points Lighthouse (from node_modules) at Debian's Chromium. It asserts nothing;
the figures go into docs/about/performance.md. Targets: accessibility 100, the others 95+.
One page and form factor: `python scripts/lighthouse.py --page "evidence and gap map"
--form-factor mobile` (the map's budget, issue 15: performance 95+, accessibility 100).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGES = {
    "home": "/",
    "principle": "/principles/versioning/",
    "benefit": "/benefits/restore-earlier-state/",
    "citation": "/citations/araujo-2024/",
    "evidence and gap map": "/evidence/",
    "study": "/studies/araujo-2024-study/",
    "decision guide": "/guides/invest-now/",
    "compare studies": "/evidence/compare/",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# The metrics behind the performance score, in the units Lighthouse reports them.
METRICS = (
    ("first-contentful-paint", "FCP", "s"),
    ("largest-contentful-paint", "LCP", "s"),
    ("total-blocking-time", "TBT", "ms"),
    ("cumulative-layout-shift", "CLS", ""),
)


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves text compressed with gzip, as static hosts such as GitHub Pages do."""

    COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".bib", ".txt")

    def log_message(self, *args: object) -> None:
        pass

    def send_head(self) -> object:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (
            path.suffix not in self.COMPRESSED
            or "gzip" not in self.headers.get("Accept-Encoding", "")
            or not path.is_file()
        ):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def run_lighthouse(url: str, preset: str, out: Path) -> dict:
    """One Lighthouse run; returns its JSON report."""
    command = [
        str(REPO / "node_modules" / ".bin" / "lighthouse"),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
        "--disable-background-networking --disable-component-update --disable-sync",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=300)
    return json.loads(out.read_text(encoding="utf-8"))


def _scores(report: dict) -> list[int]:
    return [round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES]


def _row(report: dict) -> str:
    """Scores, metrics and page weight of one report, as table cells."""
    audits = report["audits"]
    metrics = []
    for audit, _, unit in METRICS:
        value = audits[audit]["numericValue"]
        if unit == "s":
            metrics.append(f"{value / 1000:.1f} s")
        elif unit == "ms":
            metrics.append(f"{value:.0f} ms")
        else:
            metrics.append(f"{value:.3f}")
    weight = audits["total-byte-weight"]["numericValue"] / 1024
    # Lighthouse's own measure of the machine's speed at the time of the run: its mobile
    # throttling assumes a fast desktop (about 1,500 or more), so low figures explain low scores.
    speed = report.get("environment", {}).get("benchmarkIndex", 0)
    cells = [*(str(s) for s in _scores(report)), *metrics, f"{weight:.0f} KiB", f"{speed:.0f}"]
    return " | ".join(cells)


def main() -> None:
    """Serve site/ and print one row per page type and form factor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--page", action="append", choices=sorted(PAGES), help="only this page (repeatable)"
    )
    parser.add_argument(
        "--form-factor", choices=("mobile", "desktop"), action="append", help="only this one"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="runs per page and form factor (scores vary by run)"
    )
    args = parser.parse_args()
    pages = {name: PAGES[name] for name in (args.page or PAGES)}
    presets = tuple(args.form_factor or ("mobile", "desktop"))
    site = REPO / "site"
    if not (site / "index.html").exists():
        raise SystemExit("site/ is empty: run `make build` first")
    handler = functools.partial(_GzipHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    print(
        "| page | form factor | run | performance | accessibility | best practices | SEO | "
        + " | ".join(short for _, short, _ in METRICS)
        + " | page weight | CPU index |"
    )
    print("|---|---|---|" + "---:|" * (len(CATEGORIES) + len(METRICS) + 2))
    with tempfile.TemporaryDirectory() as scratch:
        for name, path in pages.items():
            for preset in presets:
                performance = []
                for run in range(1, args.runs + 1):
                    report = run_lighthouse(base + path, preset, Path(scratch) / "report.json")
                    print(f"| {name} | {preset} | {run} | " + _row(report) + " |", flush=True)
                    performance.append(_scores(report)[0])
                if args.runs > 1:
                    ordered = sorted(performance)
                    print(
                        f"| {name} | {preset} | median of {args.runs} | "
                        f"{ordered[len(ordered) // 2]} (range {ordered[0]}–{ordered[-1]}) |",
                        flush=True,
                    )
    httpd.shutdown()


if __name__ == "__main__":
    sys.exit(main())
