"""The suite's own machinery: what keeps `make check` fast must keep working after upgrades."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
from xdist.remote import WorkerInteractor

import conftest
from conftest import BROWSER_MODULES, BUILD_MODULES, REPO


@pytest.mark.xdist_group("suite-setup")
def test_loadgroup_puts_the_group_into_the_node_id(request: pytest.FixtureRequest) -> None:
    """pytest-xdist groups by the `@group` suffix it writes into each test's node id; a pytest
    that ignores the write spreads a group over every worker without a word."""
    item = copy.copy(request.node)  # the worker's hook rewrites the id it is given
    config = SimpleNamespace(getvalue={"loadgroup": True}.__getitem__)
    WorkerInteractor.pytest_collection_modifyitems(None, config, [item])  # type: ignore[arg-type]
    assert item.nodeid == f"{request.node.nodeid}@suite-setup", (
        "this pytest and pytest-xdist no longer group tests (pytest-xdist#1386): "
        "pin the versions requirements-dev.txt names"
    )


def _ignored(module: str, markexpr: str) -> bool | None:
    config = SimpleNamespace(getoption=lambda name, default=None: markexpr)
    return conftest.pytest_ignore_collect(REPO / "tests" / f"{module}.py", config)  # type: ignore[arg-type]


def _other_modules() -> list[str]:
    slow = BROWSER_MODULES | BUILD_MODULES
    return sorted(p.stem for p in (REPO / "tests").glob("test_*.py") if p.stem not in slow)


@pytest.mark.parametrize("module", sorted(BROWSER_MODULES | BUILD_MODULES))
def test_a_slow_module_is_not_imported_when_m_deselects_its_group(module: str) -> None:
    group = "browser" if module in BROWSER_MODULES else "build"
    other = "build" if group == "browser" else "browser"
    assert _ignored(module, "not browser and not build") is True  # `make check`
    assert _ignored(module, other) is True
    assert _ignored(module, f"not {group}") is True
    for keeps in ("", group, f"{group} or build", "not slow", "parametrize"):
        assert _ignored(module, keeps) is None, keeps


def test_the_other_modules_are_always_collected() -> None:
    for module in _other_modules():
        assert _ignored(module, "not browser and not build") is None, module


def test_every_slow_module_named_exists() -> None:
    for module in BROWSER_MODULES | BUILD_MODULES:
        assert (REPO / "tests" / f"{module}.py").is_file(), module
