"""The page `make serve` shows while the knowledge base has problems.

A failed rebuild would leave the browser waiting for a site that never comes; instead the
preview shows every problem (`path:line:col`, message, hint) on a self-contained page that
reloads itself every two seconds, so it turns back into the site as soon as the files are fixed.
"""

from __future__ import annotations

import html
import traceback

from kbsite.errors import Issue

RELOAD_SECONDS = 2


def crash_report(error: BaseException) -> str:
    """A pipeline crash as text: the cause is a bug in scripts/, so the traceback helps."""
    return "".join(traceback.format_exception(error)).rstrip()


def problems_page(issues: tuple[Issue, ...], crash: str = "") -> str:
    """HTML listing the problems; no request leaves the page, nothing from it is interpreted."""
    items = []
    for issue in issues:
        hint = f'<div class="hint">hint: {html.escape(issue.hint)}</div>' if issue.hint else ""
        where = (
            issue.path
            + (f":{issue.line}" if issue.line else "")
            + (f":{issue.column}" if issue.line and issue.column else "")
        )
        items.append(
            f"<li><code>{html.escape(where)}</code>: {html.escape(issue.message)}{hint}</li>"
        )
    if crash:
        heading = "The build crashed"
        body = (
            "<p>This is a bug in <code>scripts/</code>, not in your entry; please report it "
            f"with the text below.</p><pre>{html.escape(crash)}</pre>"
        )
    else:
        files = len({issue.path for issue in issues})
        noun = "problem" if len(issues) == 1 else "problems"
        heading = (
            f"The knowledge base has {len(issues)} {noun} in {files} "
            f"file{'s' if files != 1 else ''}"
        )
        body = f"<ol>{''.join(items)}</ol>"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="{RELOAD_SECONDS}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(heading)}</title>
<style>
body {{ font: 1rem/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #1a1a1a; background: #fff; }}
code, pre {{ font-family: ui-monospace, monospace; }}
li {{ margin: 0.75rem 0; }}
.hint {{ color: #3d3d3d; margin-left: 1.5rem; }}
pre {{ white-space: pre-wrap; background: #f3f3f3; padding: 1rem; }}
@media (prefers-color-scheme: dark) {{
  body {{ color: #eee; background: #121212; }} .hint {{ color: #ccc; }}
  pre {{ background: #222; }} }}
</style>
</head>
<body>
<main>
<h1>{html.escape(heading)}</h1>
{body}
<p>Fix the files and save: this page reloads every {RELOAD_SECONDS} seconds and shows the site
again once the problems are gone.</p>
</main>
</body>
</html>
"""
