"""Each patch mkdocs_hook.py applies to Material's HTML and JavaScript still finds what it mends.

A Material update that changes its templates would otherwise turn a patch into a silent no-op
and bring back the invalid or inaccessible markup; these tests fail instead.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml
from mkdocs.exceptions import PluginError

from mkdocs_hook import (
    _TOGGLE_INPUT,
    BUNDLE_PATCHES,
    mend_theme_html,
    patch_bundle,
)

from conftest import REPO

THEME_FEATURES = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["theme"][
    "features"
]


@pytest.fixture(scope="module")
def unpatched_pages(tmp_path_factory):
    """Pages of a small site built with the project's theme settings but without the hook."""
    root = tmp_path_factory.mktemp("theme")
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config.pop("hooks", None)
    config.pop("watch", None)
    # A nested section (Material labels it with an empty tabindex) and a page outside the
    # navigation that has a table of contents (a label for a toggle the page lacks).
    config["nav"] = [
        "index.md",
        {"Section": ["section/a.md", {"Part": ["section/b.md", "section/c.md"]}]},
        {"Indexed": ["indexed/index.md", "indexed/d.md"]},
    ]
    config["not_in_nav"] = "orphan.md"
    config["strict"] = False
    config["docs_dir"] = str(root / "docs")
    config["theme"]["custom_dir"] = str(REPO / config["theme"]["custom_dir"])
    config["theme"].pop("logo", None)
    config["theme"].pop("favicon", None)
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Home\n\n## A section\n\nText.\n", encoding="utf-8")
    (root / "docs" / "section").mkdir()
    for name in ("a", "b", "c"):
        (root / "docs" / "section" / f"{name}.md").write_text(f"# {name}\n", encoding="utf-8")
    (root / "docs" / "indexed").mkdir()
    for name in ("index", "d"):
        (root / "docs" / "indexed" / f"{name}.md").write_text(f"# {name}\n", encoding="utf-8")
    (root / "docs" / "orphan.md").write_text("# Orphan\n\n## One\n\n## Two\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--quiet",
            "-f",
            str(root / "mkdocs.yml"),
            "--site-dir",
            str(root / "site"),
        ],
        cwd=root,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1"},
    )
    pages = {
        name: (root / "site" / name).read_text(encoding="utf-8")
        for name in (
            "index.html",
            "section/a/index.html",
            "indexed/d/index.html",
            "orphan/index.html",
            "404.html",
        )
    }
    (bundle,) = (root / "site" / "assets" / "javascripts").glob("bundle.*.min.js")
    pages["bundle"] = bundle.read_text(encoding="utf-8")
    return pages


def test_the_search_dialog_markup_is_still_there_and_gets_a_name(unpatched_pages):
    page = unpatched_pages["index.html"]
    assert 'data-md-component="search" role="dialog">' in page
    assert 'role="dialog" aria-label="Search">' in mend_theme_html(page)


def test_toggle_inputs_still_carry_autocomplete_and_lose_it(unpatched_pages):
    page = unpatched_pages["index.html"]
    assert any(' autocomplete="off"' in m.group(0) for m in _TOGGLE_INPUT.finditer(page))
    mended = mend_theme_html(page)
    assert not any(' autocomplete="off"' in m.group(0) for m in _TOGGLE_INPUT.finditer(mended))


@pytest.mark.parametrize("attribute", [' autocorrect="off"', ' tabindex=""'])
def test_invalid_attributes_still_occur_and_are_removed(unpatched_pages, attribute):
    page = unpatched_pages["section/a/index.html"]
    assert attribute in page
    assert attribute not in mend_theme_html(page)


def test_a_label_for_a_missing_table_of_contents_still_occurs_and_is_removed(unpatched_pages):
    page = unpatched_pages["orphan/index.html"]
    assert 'id="__toc"' not in page
    assert ' for="__toc"' in page
    assert ' for="__toc"' not in mend_theme_html(page)


def test_a_section_index_still_names_its_navigation_by_an_icon_only_label_and_gets_a_name(
    unpatched_pages,
):
    page = unpatched_pages["indexed/d/index.html"]
    label = re.search(r'<label class="md-nav__link[^"]*" for="(__nav_[0-9_]+)" id="\1_label"', page)
    assert label, "Material no longer labels a section's navigation this way"
    toggle = label.group(1)
    assert f'aria-labelledby="{toggle}_label"' in page
    icon_only = (
        rf'id="{toggle}_label"[^>]*>\s*<span class="md-nav__icon md-icon"></span>\s*</label>'
    )
    assert re.search(icon_only, page)
    assert f'id="{toggle}_label" aria-label="Indexed"' in mend_theme_html(page)


def test_the_404_page_is_mended_too(unpatched_pages):
    page = unpatched_pages["404.html"]
    assert re.search(r'autocorrect="off"|tabindex=""|role="dialog">', page)
    mended = mend_theme_html(page)
    assert ' autocorrect="off"' not in mended
    assert ' tabindex=""' not in mended


@pytest.mark.parametrize("patch", BUNDLE_PATCHES, ids=lambda patch: patch.name)
def test_each_bundle_patch_still_finds_its_code_once_and_keeps_the_length(unpatched_pages, patch):
    bundle = unpatched_pages["bundle"]
    assert bundle.count(patch.original) == 1
    patched = patch_bundle(bundle, THEME_FEATURES)
    assert patch.original not in patched
    assert patched.count(patch.replacement) == 1
    assert len(patched) == len(bundle)  # the source map's columns still point right


@pytest.mark.parametrize(
    "patch", [p for p in BUNDLE_PATCHES if p.feature], ids=lambda patch: patch.name
)
def test_a_patch_for_a_theme_feature_leaves_the_bundle_alone_without_it(unpatched_pages, patch):
    bundle = unpatched_pages["bundle"]
    others = [p.feature for p in BUNDLE_PATCHES if p.feature and p.feature != patch.feature]
    patched = patch_bundle(bundle, others)
    assert patched.count(patch.original) == 1
    assert patch.replacement not in patched


def test_a_bundle_a_patch_no_longer_fits_fails_the_build_with_its_name():
    first = BUNDLE_PATCHES[0]
    with pytest.raises(PluginError, match=f'update the bundle patch "{first.name}"'):
        patch_bundle("function setup(){return of(true)}", THEME_FEATURES)


def test_the_built_site_ships_the_patched_bundle(built_site):
    (bundle,) = (built_site / "assets" / "javascripts").glob("bundle.*.min.js")
    text = bundle.read_text(encoding="utf-8")
    for patch in BUNDLE_PATCHES:
        assert patch.feature is None or patch.feature in THEME_FEATURES
        assert patch.replacement in text
        assert patch.original not in text


# What a `[data-md-color-scheme="slate"]` rule may set: colours and colour variables. The dark
# scheme then changes nothing but colours, which is why the browser tests run axe's colour
# rules in dark on every page type, and every rule on a few.
COLOUR_PROPERTIES = re.compile(
    r"--[\w-]+|color|background(-color)?|fill|stroke|border(-\w+)?-color|outline-color"
    r"|box-shadow|text-decoration-color|caret-color|color-scheme"
)


def test_dark_scheme_changes_colours_only():
    dark_rules = []
    for sheet in sorted((REPO / "docs" / "stylesheets").glob("*.css")):
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        dark_rules += [
            (f"{sheet.name}: {selector.strip()}", body)
            for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
            if "color-scheme" in selector
        ]
    assert dark_rules, "no stylesheet has a dark-scheme rule any more: update this test"
    for selector, body in dark_rules:
        properties = [d.split(":", 1)[0].strip() for d in body.split(";") if d.strip()]
        assert all(COLOUR_PROPERTIES.fullmatch(p) for p in properties), (selector, properties)
    # ...and no script of the site behaves differently by scheme.
    for script in sorted((REPO / "docs" / "javascripts").glob("*.js")):
        text = script.read_text(encoding="utf-8")
        assert not re.search(r"color-scheme|slate|prefers-color", text), script.name
