"""The package's import graph: no cycles between its modules, and imports point down the layers of pyproject.toml.

grimp reads every import statement of every module, including those inside functions and under TYPE_CHECKING, so a
cycle hidden by a function-level import fails here too.
"""

from __future__ import annotations

import graphlib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _cycle(graph: grimp.ImportGraph) -> list[str] | None:
    sorter = graphlib.TopologicalSorter({m: graph.find_modules_directly_imported_by(m) for m in graph.modules})
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return None


def test_no_import_cycle_between_the_package_modules():
    cycle = _cycle(grimp.build_graph("rewardbench"))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_cycle_detection_sees_a_function_level_import(tmp_path, monkeypatch):
    pkg = tmp_path / "cyclic_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from cyclic_pkg import b\n")
    (pkg / "b.py").write_text("def late():\n    from cyclic_pkg import a\n    return a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    cycle = _cycle(grimp.build_graph("cyclic_pkg", cache_dir=None))
    assert cycle is not None and {"cyclic_pkg.a", "cyclic_pkg.b"} <= set(cycle)


def test_imports_point_down_the_layers(monkeypatch):
    from importlinter.cli import lint_imports

    monkeypatch.chdir(ROOT)
    if lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=None) != 0:
        pytest.fail("a module imports from a layer above its own: run `lint-imports` for the chain")
