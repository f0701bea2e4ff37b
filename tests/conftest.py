"""Shared fixtures: the repository, a small fixture knowledge base, and a way to break it.

Also the means to keep the suite fast on two cores (see "Sharing expensive work" below):
`run_kbsite` calls the command line in this process, `shared_build` builds a site once per
test run for every pytest-xdist worker, and `built_site` is the real site built that way.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

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
BROWSER_MODULES = {"test_browser", "test_browser_hostile", "test_browser_gapmap"}
BUILD_MODULES = {
    "test_site_build",
    "test_site_quality",
    "test_contributor_path",
    "test_serve",
    "test_hostile_site",
    "test_nothing_lost",
    "test_theme_patches",  # builds a small site with MkDocs
}
# Tests elsewhere that call a system tool `make check` cannot count on (CI's fast job has
# none), or run MkDocs.
OUTSIDE_TOOL_TESTS = {
    "test_untrusted_files.py::test_link_in_docs_fails_the_build_before_anything_is_published",
    "test_latex.py::test_bibliography_compiles_with_bibtex_without_warnings",
    "test_export_escaping.py::test_hostile_and_real_bibliography_compiles_with_bibtex_and_pdflatex",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Chromium over the built site")
    config.addinivalue_line(
        "markers",
        "build: builds the whole site, runs MkDocs or a server, "
        "or an outside checker (seconds per test)",
    )


def _marked_with(names: set[str]) -> Callable[..., bool]:
    """A `-m` matcher for a test that carries exactly these marks (whatever their arguments)."""
    return lambda name, /, **_arguments: name in names


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave a slow group's module unimported when `-m` deselects all of it.

    `make check` deselects both groups; importing their modules only to drop every test cost
    each worker 0.7 s of its 2.4 s collection. The group mark is the modules' only mark apart from
    `parametrize` (marked whole in `pytest_collection_modifyitems`), so if the expression is
    false for both, it is false for every test in them.
    """
    stem = collection_path.stem
    group = "browser" if stem in BROWSER_MODULES else "build" if stem in BUILD_MODULES else ""
    markexpr = config.getoption("markexpr", "")
    if not group or not markexpr or collection_path.suffix != ".py":
        return None
    from _pytest.mark.expression import Expression  # what `-m` itself compiles to

    expression = Expression.compile(markexpr)
    marks = ({group}, {group, "parametrize"})
    if any(expression.evaluate(_marked_with(names)) for names in marks):
        return None
    return True


def _slow_first(item: pytest.Item) -> int:
    return 0 if "browser" in item.keywords else 1 if "build" in item.keywords else 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow groups, and run them first.

    Slow first: with `-n auto --dist worksteal` (the Makefile's), the workers start on the
    tests of many seconds and finish on the quick ones, which fill the gaps, instead of one
    worker running the last long test while the other waits. The order within a module stays.
    """
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
    items.sort(key=_slow_first)  # stable: every group keeps the collection order


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


CFF_SCHEMA = REPO / "tests" / "schemas" / "citation-file-format-1.2.0.json"
"""The Citation File Format's own JSON Schema (see tests/schemas/README.md)."""


@functools.cache
def _cff_validator(definition: str):
    """The schema's validator (of one definition, if named), read and built once per process."""
    import jsonschema

    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    if definition:
        schema = {**schema["definitions"][definition], "definitions": schema["definitions"]}
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def cff_errors(data: object, definition: str = "") -> list[str]:
    """What the CFF 1.2.0 schema finds wrong with a CITATION.cff (or, with `definition`, with
    one of its parts, e.g. `reference`), as `path: message` lines; empty when valid."""
    validator = _cff_validator(definition)
    return [
        f"{'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(data)
    ]


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


# --- Sharing expensive work ------------------------------------------------------------------
# `pytest -n auto` runs one worker process per core, and a session fixture runs once per
# worker. A full site build takes seconds of CPU, so the builds every worker would repeat are
# made once per test run instead, in a folder all workers share, under a lock: the first
# worker to ask builds, the others wait for it and read the result. Results are keyed on the
# content they were built from, so two different projects never share a folder.

RUN_FOLDER: Path | None = None
"""The folder shared by all workers of this test run (set by the `run_folder` fixture)."""


@pytest.fixture(scope="session", autouse=True)
def run_folder(tmp_path_factory) -> Path:
    """pytest's base temporary folder of this run, which every xdist worker's folder is in.

    Autouse, so that `shared_build` works from plain functions too (the hostile corpus).
    """
    global RUN_FOLDER  # one per test process, set before any test runs
    base = tmp_path_factory.getbasetemp()
    RUN_FOLDER = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return RUN_FOLDER


PROJECT_PARTS = ("mkdocs.yml", "CITATION.cff", "docs", "kb", "scripts")
"""What a site build reads (with the git history, which a test run does not change)."""


def content_digest(root: Path, parts: tuple[str, ...] = PROJECT_PARTS) -> str:
    """A short hash of the files a build reads: paths and bytes, caches left out."""
    digest = hashlib.sha256()
    for part in parts:
        top = root / part
        paths = [top] if top.is_file() else sorted(top.rglob("*"))
        for path in paths:
            if "__pycache__" in path.parts or not path.is_file():
                continue
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def shared_build(key: str, build: Callable[[Path], None]) -> Path:
    """Run `build(folder)` once per test run, whichever worker asks first; return the folder.

    The others wait on a lock and reuse the folder, which is then read only. A failed build
    leaves no result, so every worker that asks reports the failure itself.
    """
    import fcntl

    root = RUN_FOLDER
    if root is None:  # outside a test session (e.g. a module imported by a script)
        import tempfile

        root = Path(tempfile.mkdtemp(prefix="kbsite-tests-"))
    folder, done = root / f"shared-{key}", root / f"shared-{key}.done"
    with (root / f"shared-{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            if folder.exists():
                shutil.rmtree(folder)  # left by a build that failed
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The real site, built once per test run for all workers. Read it, never change it."""

    def build(folder: Path) -> None:
        result = mkdocs_build(REPO, folder / "site")
        assert result.returncode == 0, result.stderr

    return shared_build(f"site-{content_digest(REPO)}", build) / "site"


OLD_SITE = {
    "index.html": b"<p>the previous site</p>\n",
    "principles/index.html": b"<p>previous principles</p>\n",
    "stale.html": b"old\n",
}
"""What `rebuilt_site`'s folder held before the build: an older site with a page since gone."""


@pytest.fixture(scope="session")
def rebuilt_site() -> Path:
    """The real site built a second time, into a folder that held OLD_SITE, once per run.

    For the tests that need a second full build: it is byte for byte `built_site`
    (determinism), and the old site is replaced whole, leaving no staging folder beside it.
    Returns the site folder; its parent holds nothing else. Read it, never change it.
    """

    def build(folder: Path) -> None:
        site = folder / "site"
        for name, content in OLD_SITE.items():
            (site / name).parent.mkdir(parents=True, exist_ok=True)
            (site / name).write_bytes(content)
        result = mkdocs_build(REPO, site)
        assert result.returncode == 0, result.stderr

    return shared_build(f"rebuilt-{content_digest(REPO)}", build) / "site"


@functools.cache
def real_kb():
    """The real kb/, checked once per test process: modules that derive their cases from it
    share one load (every xdist worker imports every module to collect it). Read only."""
    from kbsite import check_kb

    return check_kb(REPO / "kb", REPO)


@functools.cache
def real_site(with_history: bool = False):
    """The real kb/ through `build_site` (pages, assets, graph), once per test process, on
    first use. Without git history unless asked: reading it is most of the build's time, and
    only the dates and the changelog come from it. Read only; a test of determinism builds
    again itself."""
    from kbsite import build_site

    return build_site(REPO / "kb", REPO, with_history=with_history)


@functools.cache
def fixture_site():
    """The fixture kb/ through `build_site` without git history, once per test process. Read
    only."""
    from kbsite import build_site

    return build_site(FIXTURE_KB, REPO, with_history=False)


@dataclass(frozen=True)
class CliResult:
    """What `python -m kbsite` would have returned and printed."""

    returncode: int
    stdout: str
    stderr: str


def run_kbsite(*args: str, cwd: Path = REPO) -> CliResult:
    """`python -m kbsite ARGS` run in this process, in folder `cwd`, its output captured.

    The same `main()` the command runs, without starting an interpreter and importing the
    package again (most of a subprocess's second). An exception that `main()` lets through
    propagates and fails the test, as a traceback would. Tests of the process boundary itself
    (no terminal on stdin, a hang, a crash of the interpreter) run a real subprocess instead.
    """
    from kbsite.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    before = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = main(list(args))
            except SystemExit as stop:  # argparse's usage errors and --help
                code = stop.code if isinstance(stop.code, int) else 1
    finally:
        os.chdir(before)
    return CliResult(code, stdout.getvalue(), stderr.getvalue())


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


def small_project(target: Path) -> Path:
    """A copy of the site project with the fixture kb/: it builds strictly in a third of the real
    one's time, for tests of what a build does rather than of the real content. Its hand-written
    pages become stand-ins, since the real ones link to real entries."""
    project = copy_project(target)
    shutil.rmtree(project / "kb")
    shutil.copytree(FIXTURE_KB, project / "kb")
    for page in (project / "docs").rglob("*.md"):
        title = page.relative_to(project / "docs").with_suffix("").as_posix()
        page.write_text(f"# {title}\n\nThis page stands in for a hand-written one.\n", "utf-8")
    return project


# Every page a test opens asks for reduced motion: Material then turns its transitions off
# (its stylesheet's `prefers-reduced-motion` rule), so nothing animates between a test's
# steps. What the tests read is the state a transition ends in, and the frames in between
# cost Chromium time the checks need (test_browser `search_page` has a measured case).
CONTEXT_OPTIONS: dict[str, str] = {"reduced_motion": "reduce"}

HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"
"""Debian's `chromium-headless-shell`: the same Blink as `chromium`, without the desktop
browser around it. A page load costs it about a quarter less CPU, which on two cores is most of
what the browser tests wait for. (Its /usr/bin wrapper does not `exec`; the binary is used.)"""
CHROMIUM = os.environ.get("CHROMIUM_PATH") or HEADLESS_SHELL
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    # No name resolves: a request to any other host fails in the browser itself, and the tests
    # see it in the page's request events. (Intercepting every request from Python instead
    # costs each page a round trip per file.)
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="session")
def browser():
    """One Playwright and one Chromium per test process (the sync API allows only one)."""
    from playwright import sync_api as playwright_api

    require_or_skip(
        Path(CHROMIUM).exists(),
        f"{CHROMIUM} is missing (apt-get install chromium-headless-shell, or set CHROMIUM_PATH)",
    )
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        playwright.selectors.set_test_id_attribute("data-testid")
        yield instance
        instance.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mkdocs_serve(project: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`mkdocs serve` of a project on 127.0.0.1:port, its output written to log."""
    with log.open("w", encoding="utf-8") as stream:
        return subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project,
            env=ENV,
            stdout=stream,
            stderr=subprocess.STDOUT,
        )


def small_project_with_entry(target: Path) -> tuple[Path, Path, str]:
    """The small project (each rebuild of its preview takes a fraction of the real one's
    time), its first principle's file and the heading of that principle's page."""
    project = small_project(target)
    entry = min((project / "kb" / "principles").glob("*.yaml"))
    data = yaml.safe_load(entry.read_text(encoding="utf-8"))
    return project, entry, f"P{data['number']} {data['title']}"


def fetch(url: str) -> str:
    """The page at url (a local preview server)."""
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local server
        return response.read().decode("utf-8")


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> bool:
    """Whether predicate comes true within timeout; a server not up yet counts as not yet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False
