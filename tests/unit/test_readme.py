"""README.md's quick start is the contract CI runs verbatim: exactly two commands."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def quick_start_lines(text: str) -> list[str]:
    spec = importlib.util.spec_from_file_location("quick_start", ROOT / ".ci/readme_quick_start.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    lines: list[str] = module.quick_start_lines(text)
    return lines


def test_the_quick_start_is_one_install_and_run_and_one_test_command() -> None:
    install, test = quick_start_lines((ROOT / "README.md").read_text(encoding="utf-8"))
    assert install.startswith("pip install -e ")
    assert "python -m omnichannel compare" in install
    assert "optimize" in install
    assert "test" in install
    assert "pytest" in test


def test_a_readme_without_the_block_is_an_error() -> None:
    with pytest.raises(SystemExit, match="no ```bash block"):
        quick_start_lines("# x\n\n## Quick start\n\nnothing here\n")
    with pytest.raises(SystemExit, match="no '## Quick start'"):
        quick_start_lines("# x\n")
