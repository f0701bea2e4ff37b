"""Thin MkDocs adapter: runs the kbsite pipeline and hands its pages to MkDocs in memory.

Nothing is written to docs/, so hand-written pages are never overwritten and `mkdocs serve`
cannot loop. The pipeline runs in `on_config`, before MkDocs cleans the site folder, so a
knowledge base with errors leaves the previously built site intact.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel

sys.path.insert(0, str(Path(__file__).parent))

from kbsite import KBError, Site, build_site

_SITE_ATTRIBUTE = "_kbsite_site"


def _expand_nav(nav: list[Any], site: Site) -> list[Any]:
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
    """Build the knowledge base; abort with the validator's report on any problem."""
    root = Path(config.config_file_path).parent
    try:
        site = build_site(root / "kb", root, repo_url=config.extra.get("repository", ""))
    except KBError as error:
        raise PluginError(f"The knowledge base has problems:\n{error}") from None
    setattr(config, _SITE_ATTRIBUTE, site)
    if not config.site_url:
        # The published address gives canonical links and a full sitemap.xml. It is set
        # here, not as `site_url`, because `mkdocs serve` would then serve under its path.
        config.site_url = config.extra.get("published_url") or None
    if config.nav:
        config.nav = _expand_nav(config.nav, site)
    return config


def on_files(files: Files, config: Any) -> Files:
    """Add the generated pages and exports; refuse to shadow a hand-written file."""
    site: Site = getattr(config, _SITE_ATTRIBUTE)
    clashes = sorted(path for path in site.outputs if files.get_file_from_path(path))
    if clashes:
        raise PluginError(
            "docs/ has hand-written files where generated pages belong: "
            + ", ".join(clashes)
            + "\n    hint: move or rename them; generated pages never overwrite docs/"
        )
    in_nav = {section.index for section in site.nav}
    in_nav |= {path for section in site.nav for _, path in section.children}
    citation_file = Path(config.config_file_path).parent / "CITATION.cff"
    if citation_file.is_file():  # how to cite the knowledge base itself, at the site root
        files.append(File.generated(config, "CITATION.cff", abs_src_path=str(citation_file)))
    for path, content in site.outputs.items():
        # Pages of long sections are reached from their index page, not the navigation.
        inclusion = (InclusionLevel.UNDEFINED if path in in_nav or not path.endswith(".md")
                     else InclusionLevel.NOT_IN_NAV)
        files.append(File.generated(config, path, content=content, inclusion=inclusion))
    return files


_TOGGLE_INPUT = re.compile(r'<input\b[^>]*\btype="(?:checkbox|radio)"[^>]*>')


def mend_theme_html(output: str) -> str:
    """Mend the few places where Material's templates emit invalid or inaccessible HTML.

    The W3C checker rejects `autocomplete` on checkboxes, `autocorrect`, an empty `tabindex`
    and a label pointing at an input the page lacks; axe wants the search dialog named.
    """
    output = output.replace('data-md-component="search" role="dialog">',
                            'data-md-component="search" role="dialog" aria-label="Search">', 1)
    output = _TOGGLE_INPUT.sub(lambda m: m.group(0).replace(' autocomplete="off"', ""), output)
    output = output.replace(' autocorrect="off"', "").replace(' tabindex=""', "")
    if 'id="__toc"' not in output:
        output = output.replace(' for="__toc"', "")
    return output


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Mend every rendered page."""
    return mend_theme_html(output)


def on_post_template(output_content: str, template_name: str, config: Any) -> str:
    """Mend the pages rendered from templates alone (404.html)."""
    return mend_theme_html(output_content) if template_name.endswith(".html") else (
        output_content)
