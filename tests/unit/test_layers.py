"""Dependencies point down; optional packages stay unimported until asked for."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import omnichannel

PACKAGE = Path(omnichannel.__file__).parent

LAYERS = {
    "_errors": 0,
    "_types": 0,
    "_version": 0,
    "_registry": 0,
    "_domain": 0,
    "_core": 1,
    "sourcing": 2,
    "allocation": 2,
    "returns": 2,
    "_engine": 3,
    "reference": 3,
    "serialization": 4,
    "testing": 4,
    "simulation": 4,
    "_cli": 5,
    "__main__": 5,
    "__init__": 5,
}
"""Each top-level module or sub-package of omnichannel and its layer: a module may
import from its own layer or below, never above."""


def layer_of(module: str) -> int:
    return LAYERS[module.split(".")[0]]


def imports(path: Path) -> list[str]:
    """Modules of omnichannel that ``path`` imports, relative to the package."""
    relative = path.relative_to(PACKAGE).with_suffix("")
    parts = list(relative.parts)
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = parts[: len(parts) - node.level]
            target = [*base, *(node.module.split(".") if node.module else [])]
            found.append(".".join(target) if target else node.names[0].name)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("omnichannel."):
            found.append(node.module.removeprefix("omnichannel."))  # type: ignore[union-attr]
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_nothing_above_its_layer(path: Path) -> None:
    own = str(path.relative_to(PACKAGE).with_suffix("")).replace("/", ".")
    above = [target for target in imports(path) if layer_of(target) > layer_of(own)]
    assert above == []


def test_the_checker_sees_relative_imports() -> None:
    found = imports(PACKAGE / "allocation" / "_sequential.py")
    assert "_core.runs" in found
    assert "sourcing._batch" in found
    assert layer_of("_engine.allocate") > layer_of("sourcing._batch")


def test_every_top_level_module_has_a_layer() -> None:
    names = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    names = {n for n in names if not n.startswith(".")} - {"py", "__pycache__"}
    assert {n for n in names if not n.endswith(".typed")} <= set(LAYERS)


def test_import_omnichannel_pulls_in_no_optional_package_and_no_edge() -> None:
    code = "import sys, json, omnichannel\nprint(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = json.loads(output)
    for optional in ("hypothesis", "scipy", "matplotlib", "rich", "pytest", "dask", "distributed"):
        assert not any(m == optional or m.startswith(optional + ".") for m in loaded), optional
    for edge in ("omnichannel.testing", "omnichannel.simulation", "omnichannel.serialization"):
        assert edge not in loaded


def test_the_conformance_kit_imports_from_testing_without_hypothesis_or_pytest() -> None:
    """``omnichannel.testing`` re-exports the kit, and a user without the ``test`` extra
    can still import it (hypothesis and pytest are blocked in the child interpreter)."""
    code = (
        "import sys\n"
        "sys.modules['hypothesis'] = None\n"
        "sys.modules['pytest'] = None\n"
        "from omnichannel.testing import (\n"
        "    check_policy, check_return_strategy, check_sourcing, parametrize_with_checks)\n"
        "import omnichannel.testing.conformance as kit\n"
        "assert check_sourcing is kit.check_sourcing and check_policy is kit.check_policy\n"
        "assert check_return_strategy is kit.check_return_strategy\n"
        "assert parametrize_with_checks is kit.parametrize_with_checks\n"
    )
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)


def test_sweeps_and_the_command_line_import_no_dask_until_an_executor_is_asked_for() -> None:
    """Dask comes in only through the executor the caller passes (or ``sweep
    --scheduler``): importing the simulation edge or the CLI loads none of it."""
    code = (
        "import sys, json, omnichannel.simulation, omnichannel._cli\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    loaded = json.loads(output)
    for optional in ("dask", "distributed"):
        assert not any(m == optional or m.startswith(optional + ".") for m in loaded), optional
