"""Thin MkDocs adapter: runs the kbsite pipeline and hands its pages to MkDocs in memory.

Nothing is written to docs/, so hand-written pages are never overwritten and `mkdocs serve`
cannot loop. Every check that can fail (the pipeline, and clashes between generated and
hand-written pages) runs in `on_config`, before MkDocs cleans the site folder; and `mkdocs build`
builds into a staging folder that replaces the site only when the build succeeded, strict
warnings included. So a failed build, `make build` or a plain `mkdocs build`, leaves the previous
site whole.

Under `mkdocs serve` a knowledge base with problems, or a pipeline that crashes, gives a page
listing the problems instead of a failed rebuild (which leaves the browser waiting), and the
kbsite code is imported afresh for every rebuild, so changes to scripts/kbsite take effect
without a restart.
"""

from __future__ import annotations

import html
import importlib
import logging
import re
import shutil
import sys
import traceback
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel, get_files
from mkdocs.utils import CountHandler

_SITE_ATTRIBUTE = "_kbsite_site"
_FRAGMENTS_ATTRIBUTE = "_kbsite_fragments"
_PROBLEMS_ATTRIBUTE = "_kbsite_problems"
_STAGING_ATTRIBUTE = "_kbsite_final_site_dir"
_HOOK_FILE = Path(__file__)
_HOOK_STAMP = _HOOK_FILE.stat().st_mtime_ns
_log = logging.getLogger("mkdocs.hooks.kbsite")
_staged: list[Path] = []
"""Staging folders of builds in progress, removed if the build fails."""
_command = {"name": "build", "dirty": ""}
"""The MkDocs command running: `serve` or `build` (gh-deploy builds too)."""


def on_startup(command: str, dirty: bool) -> None:
    """Remember whether this process serves a preview or builds the site."""
    _command["name"] = command
    _command["dirty"] = "yes" if dirty else ""


def _serving() -> bool:
    return _command["name"] == "serve"


_PACKAGE = _HOOK_FILE.parent / "kbsite"
_code_stamp = {"seen": ""}


def _stamp(folder: Path) -> str:
    """Changes whenever a file of the package is added, removed or saved."""
    return ",".join(
        f"{p}:{p.stat().st_mtime_ns}"
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    )


def _kbsite() -> ModuleType:
    """The kbsite package; while serving, imported afresh whenever its code changed."""
    if _serving():
        stamp = _stamp(_PACKAGE)
        if stamp != _code_stamp["seen"]:
            for name in [n for n in sys.modules if n == "kbsite" or n.startswith("kbsite.")]:
                del sys.modules[name]
            _code_stamp["seen"] = stamp
        if _HOOK_FILE.stat().st_mtime_ns != _HOOK_STAMP:
            _log.info("scripts/mkdocs_hook.py changed: restart `make serve` to use it")
    return importlib.import_module("kbsite")


def _expand_nav(nav: list[Any], site: Any) -> list[Any]:
    """Replace each nav entry that names a generated section index by the whole section."""
    sections = {section.index: section for section in site.nav}
    expanded: list[Any] = []
    for item in nav:
        if isinstance(item, dict) and len(item) == 1:
            title, target = next(iter(item.items()))
            if isinstance(target, str) and target in sections:
                children = [{name: path} for name, path in sections[target].children]
                expanded.append({title: [target, *children]})
                continue
        expanded.append(item)
    return expanded


def on_config(config: Any) -> Any:
    """Build the knowledge base and check for clashes; abort (or, serving, show the problems)."""
    root = Path(config.config_file_path).parent
    try:
        kbsite = _kbsite()
        from kbsite.sources import tree_issues

        # MkDocs would publish what a link in docs/ points to, anywhere on the machine.
        linked = tree_issues(Path(config.docs_dir), root)
        if linked:
            raise kbsite.KBError(linked)
        site = kbsite.build_site(root / "kb", root, repo_url=_repository(config))
        hand_written = _hand_written(config)
        clashes = sorted(path for path in site.outputs if hand_written.get_file_from_path(path))
    except Exception as error:
        if not _serving():
            if type(error).__name__ == "KBError":
                raise PluginError(f"The knowledge base has problems:\n{error}") from None
            raise
        return _show_problems(config, error)
    if clashes:
        message = (
            "docs/ has hand-written files where generated pages belong: "
            + ", ".join(clashes)
            + "\n    hint: move or rename them; generated pages never overwrite docs/"
        )
        if not _serving():
            raise PluginError(message)
        return _show_problems(config, PluginError(message))
    setattr(config, _SITE_ATTRIBUTE, site)
    for note in site.notes:
        _log.info("kbsite: %s", note)
    if not config.site_url:
        # The published address gives canonical links and a full sitemap.xml. It is set
        # here, not as `site_url`, because `mkdocs serve` would then serve under its path.
        config.site_url = config.extra.get("published_url") or None
    if config.nav:
        config.nav = _expand_nav(config.nav, site)
    if not _serving() and not _command.get("dirty"):  # a dirty build updates the site in place
        _stage(config)
    return config


def _repository(config: Any) -> str:
    """The repository that edit and report links point to.

    `extra.repository`, else `repo_url`; with neither, the pages carry no such links.
    """
    return str(config.extra.get("repository") or config.repo_url or "")


def _hand_written(config: Any) -> Files:
    """The files of docs/, as MkDocs will find them."""
    return get_files(config)


def _show_problems(config: Any, error: BaseException) -> Any:
    """Serve a page of problems instead of the site (MkDocs then builds nothing else)."""
    try:
        from kbsite.errors import Issue
        from kbsite.preview import crash_report, problems_page

        issues = getattr(error, "issues", None)
        if issues is not None:
            page = problems_page(tuple(issues))
        elif isinstance(error, PluginError):
            page = problems_page((Issue("docs", 0, 0, str(error)),))
        else:
            page = problems_page((), crash=crash_report(error))
    except Exception:
        text = html.escape("".join(traceback.format_exception(error)))
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta http-equiv="refresh" content="2"><title>The build crashed</title></head>'
            f"<body><h1>The build crashed</h1><pre>{text}</pre></body></html>"
        )
    _log.info("The knowledge base has problems; the preview lists them until they are fixed")
    setattr(config, _PROBLEMS_ATTRIBUTE, page)
    config.nav = None
    # Nothing of the theme is needed: skipping its files and templates keeps this build short.
    config.theme.dirs = []
    config.theme.static_templates = set()
    return config


def _stage(config: Any) -> None:
    """Build into a staging folder; `on_post_build` swaps it in when all went well."""
    from kbsite.write import staging_folder

    final = Path(config.site_dir).resolve()  # a site folder that is a link: swap its target
    staged = staging_folder(final)
    shutil.rmtree(staged, ignore_errors=True)
    setattr(config, _STAGING_ATTRIBUTE, str(final))
    _staged.append(staged)
    config.site_dir = str(staged)


# Patches to Material's JavaScript bundle, each exact and found exactly once (a Material update
# that changes the code fails the build and names the patch), each of the same length, so the
# bundle's source map still points right. Every page load pays for what they remove.
@dataclass(frozen=True)
class BundlePatch:
    """One exact replacement in Material's minified bundle, padded to the original's length."""

    name: str
    original: str
    replacement: str
    feature: str | None = None  # applied only when this theme feature is on

    def __post_init__(self) -> None:
        padded = self.replacement.ljust(len(self.original))
        object.__setattr__(self, "replacement", padded)
        if len(padded) != len(self.original):
            raise ValueError(f"bundle patch {self.name}: the replacement is longer")


BUNDLE_PATCHES = (
    # The search worker builds its full-text index as soon as any page loads (served over
    # http), a fraction of a second of CPU on every view, more on a phone, whether or not the
    # reader searches. Material already waits until search is opened for file:// pages; this
    # makes that the rule: opening search (click, focus, shortcut) starts the set-up.
    BundlePatch("lazy search index", 'location.protocol!=="file:"', "!1/* lazy search index */"),
    # On mounting, the palette marks the body as switching colours (to turn transitions off)
    # and unmarks it a moment later: each time the whole page restyles. The first palette
    # comes from the page itself, so nothing switches; the theme-color meta tag (`r` in the
    # minified code) has no content yet then, and has one for every real switch (the reader's
    # toggle, the system's).
    BundlePatch(
        "no colour switch on load",
        'if(document.body.setAttribute("data-md-color-switching",""),',
        'if(r.content&&(document.body.dataset.mdColorSwitching=""),',
    ),
    # A `color-scheme` meta tag, added on load and then given its content, makes the browser
    # restyle the whole page twice. The stylesheet gives the root the scheme instead
    # (site.css, `:root:has(...)`), and the palette writes its value to a plain object.
    BundlePatch(
        "no color-scheme meta tag",
        'let o=x("meta",{name:"color-scheme"});document.head.appendChild(o);',
        "let o={};/* color-scheme from site.css */",
    ),
    # Search highlighting (the `search.highlight` feature) marks the words a reader searched
    # for on the page a result leads to, whose address then carries them (`?h=`). Material
    # sets it up on every page, which downloads the whole search index (80 KiB compressed,
    # half a megabyte to parse) on every page view; only pages opened from a result need it.
    BundlePatch(
        "search index only for a search result",
        'V("search.highlight")?Ai(',
        "/[?&]h=/.test(we())?Ai(",
        feature="search.highlight",
    ),
)
_BUNDLE = re.compile(r"assets/javascripts/bundle\.[0-9a-f]+\.min\.js")


def patch_bundle(bundle: str, features: Collection[str]) -> str:
    """Material's bundle with the patches of BUNDLE_PATCHES for these theme features."""
    for patch in BUNDLE_PATCHES:
        if bundle.count(patch.original) != 1:
            raise PluginError(
                f"mkdocs_hook: Material's bundle no longer contains `{patch.original}` exactly "
                f'once; update the bundle patch "{patch.name}" for this version'
            )
        if patch.feature is None or patch.feature in features:
            bundle = bundle.replace(patch.original, patch.replacement)
    return bundle


def _patched_bundle(files: Files, config: Any) -> None:
    """Replace the theme's bundle by its patched copy (MkDocs writes it like any file)."""
    bundle = next((f for f in files if _BUNDLE.fullmatch(f.src_uri)), None)
    if bundle is None:
        raise PluginError("mkdocs_hook: Material's JavaScript bundle is not among the files")
    features = config.theme.get("features", [])
    content = patch_bundle(Path(bundle.abs_src_path or "").read_text(encoding="utf-8"), features)
    files.remove(bundle)
    files.append(File.generated(config, bundle.src_uri, content=content))


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages and exports (or, serving a broken knowledge base, nothing)."""
    if getattr(config, _PROBLEMS_ATTRIBUTE, None) is not None:
        return Files([])  # the problems page needs nothing else, and is built at once
    _patched_bundle(files, config)
    site: Any = getattr(config, _SITE_ATTRIBUTE)
    in_nav = {section.index for section in site.nav}
    in_nav |= {path for section in site.nav for _, path in section.children}
    citation_file = Path(config.config_file_path).parent / "CITATION.cff"
    if citation_file.is_file():  # how to cite the knowledge base itself, at the site root
        files.append(File.generated(config, "CITATION.cff", abs_src_path=str(citation_file)))
    for path, content in site.outputs.items():
        # Pages of long sections are reached from their index page, not the navigation.
        inclusion = (
            InclusionLevel.UNDEFINED
            if path in in_nav or not path.endswith(".md")
            else InclusionLevel.NOT_IN_NAV
        )
        files.append(File.generated(config, path, content=content, inclusion=inclusion))
    # The pages now live in `files`, and later events need only the fragments: the knowledge
    # base, its graph and ratings are let go before MkDocs converts every page, so the build's
    # peak memory does not hold both.
    setattr(config, _FRAGMENTS_ATTRIBUTE, site.fragments)
    delattr(config, _SITE_ATTRIBUTE)
    return files


def _strict_warnings(config: Any) -> int:
    """Warnings counted so far by MkDocs for --strict (it aborts after post_build)."""
    if not config.strict:
        return 0
    handlers = logging.getLogger("mkdocs").handlers
    return sum(
        count
        for handler in handlers
        if isinstance(handler, CountHandler)
        for _, count in handler.get_counts()
    )


@event_priority(-100)  # after every plugin has written its files (search index, sitemap)
def on_post_build(config: Any) -> None:
    """Swap the staged site in, or write the problems page of a broken preview."""
    page = getattr(config, _PROBLEMS_ATTRIBUTE, None)
    if page is not None:
        site_dir = Path(config.site_dir)
        for name in ("index.html", "404.html"):  # every address shows the problems
            (site_dir / name).write_text(page, encoding="utf-8", errors="replace")
        return
    if _serving() and _strict_warnings(config):
        # A strict abort would leave the preview waiting for a build that never comes; the
        # preview shows the site and the warnings stay in the terminal (`make build` fails).
        _log.info(
            "%d warnings above: the preview shows the site anyway; `make build` would fail",
            _strict_warnings(config),
        )
        for handler in logging.getLogger("mkdocs").handlers:
            if isinstance(handler, CountHandler):
                handler.counts.clear()
        return
    final = getattr(config, _STAGING_ATTRIBUTE, None)
    if final is None or _strict_warnings(config):
        return  # MkDocs aborts next; on_build_error removes the staging folder
    from kbsite.write import replace_folder

    replace_folder(Path(config.site_dir), Path(final))
    _staged.clear()
    config.site_dir = final


def on_build_error(error: Exception) -> None:
    """A failed build leaves the previous site whole: drop the staging folder."""
    while _staged:
        shutil.rmtree(_staged.pop(), ignore_errors=True)


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """Put the entries' sanitised Markdown HTML in place, after Python-Markdown ran."""
    fragments = getattr(config, _FRAGMENTS_ATTRIBUTE, None)
    if fragments is None:  # a preview showing the problems page has no site
        return html
    from kbsite.markdown import fill_fragments

    return str(fill_fragments(html, fragments))


_TOGGLE_INPUT = re.compile(r'<input\b[^>]*\btype="(?:checkbox|radio)"[^>]*>')
_SECTION_INDEX_LABEL = re.compile(
    r'<a [^>]*>\s*<span class="md-ellipsis">\s*(?P<title>[^<]*?)\s*</span>\s*</a>\s*'
    r'<label class="md-nav__link[^"]*" for="(?P<toggle>__nav_[0-9_]+)" '
    r'id="(?P=toggle)_label"'
)
"""A section with an index page: its link holds the title, and the label that names the
section's navigation holds only an icon, so that navigation would have no name."""


def _name_section_label(match: re.Match[str]) -> str:
    title = html.escape(html.unescape(match.group("title")), quote=True)
    return f'{match.group(0)} aria-label="{title}"'


def mend_theme_html(output: str) -> str:
    """Mend the few places where Material's templates emit invalid or inaccessible HTML.

    The W3C checker rejects `autocomplete` on checkboxes, `autocorrect`, an empty `tabindex`
    and a label pointing at an input the page lacks; axe wants the search dialog named, and the
    navigation of a section with an index page named after the section.
    """
    output = output.replace(
        'data-md-component="search" role="dialog">',
        'data-md-component="search" role="dialog" aria-label="Search">',
        1,
    )
    output = _TOGGLE_INPUT.sub(lambda m: m.group(0).replace(' autocomplete="off"', ""), output)
    output = output.replace(' autocorrect="off"', "").replace(' tabindex=""', "")
    if 'id="__toc"' not in output:
        output = output.replace(' for="__toc"', "")
    return _SECTION_INDEX_LABEL.sub(_name_section_label, output)


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Mend every rendered page."""
    return mend_theme_html(output)


def on_post_template(output_content: str, template_name: str, config: Any) -> str:
    """Mend the pages rendered from templates alone (404.html)."""
    return mend_theme_html(output_content) if template_name.endswith(".html") else (output_content)
