"""Shared fixtures: the repository, a small fixture knowledge base, and a way to break it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE_KB = REPO / "tests" / "fixtures" / "kb_min"
GOLDEN = REPO / "tests" / "golden" / "kb_min"
SOURCE_FINGERPRINTS = REPO / "tests" / "fixtures" / "source-fingerprints.txt"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/ from the current output"
    )


# Two groups of slow tests, so that `make check` (neither) answers in seconds and CI can run
# the browser in a job of its own. Marked here, by module and by fixture, so a new test in
# these modules, or any test of the built site, lands in the right group without remembering.
BROWSER_MODULES = {"test_browser", "test_browser_hostile"}
BUILD_MODULES = {
    "test_site_build",
    "test_site_quality",
    "test_contributor_path",
    "test_serve",
    "test_hostile_site",
    "test_nothing_lost",
}
# Tests elsewhere that call a system tool `make check` cannot count on (CI's fast job has none).
OUTSIDE_TOOL_TESTS = {"test_latex.py::test_bibliography_compiles_with_bibtex_without_warnings"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Chromium over the built site")
    config.addinivalue_line(
        "markers",
        "build: builds the whole site, runs MkDocs or a server, "
        "or an outside checker (seconds per test)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = getattr(getattr(item, "module", None), "__name__", "")
        if module in BROWSER_MODULES:
            item.add_marker(pytest.mark.browser)
        elif (
            module in BUILD_MODULES
            or "built_site" in getattr(item, "fixturenames", ())
            or item.nodeid.split("/")[-1] in OUTSIDE_TOOL_TESTS
        ):
            item.add_marker(pytest.mark.build)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def kb_copy(tmp_path: Path):
    """A writable copy of the fixture KB; returns a function that edits it.

    Call it with {relative path: text or None}; None deletes the file. Returns the kb folder.
    """
    kb_dir = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, kb_dir)

    def edit(changes: dict[str, str | bytes | None] | None = None) -> Path:
        for name, content in (changes or {}).items():
            path = kb_dir / name
            if content is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return kb_dir

    return edit


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip on a contributor's machine; fail in CI, where nothing may be skipped."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}


def mkdocs_build(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """Build a project's site strictly, the way `make build` does."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built once per test session."""
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(REPO, site)
    assert result.returncode == 0, result.stderr
    return site


def copy_project(target: Path) -> Path:
    """A copy of the site project (config, docs, kb, build code) that tests may break."""
    target.mkdir(parents=True)
    for name in ("mkdocs.yml", "CITATION.cff", "docs", "kb", "scripts"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target


CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    """One Playwright and one Chromium per test process (the sync API allows only one)."""
    from playwright import sync_api as playwright_api

    require_or_skip(Path(CHROMIUM).exists(), "Chromium is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        playwright.selectors.set_test_id_attribute("data-testid")
        yield instance
        instance.close()
