"""Hypothesis profiles (``ci`` is derandomized with fixed example counts; ``dev`` explores),
and skips for tests that need an optional extra that is not installed."""

import importlib.util
import os
import re
from collections.abc import Generator

import pytest
from hypothesis import HealthCheck, settings

from omnichannel import MissingDependencyError

settings.register_profile(
    "ci",
    max_examples=60,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


_EXTRA_MODULES = {"optimize": "scipy", "plot": "matplotlib", "cli": "rich"}
"""The module each optional extra brings."""


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    """A test that reaches a feature whose optional extra is not installed is skipped
    with the library's own message, which names the extra (``pip install
    'omnichannel[optimize]'``). With the extra installed the error is a failure: a
    broken lazy import must not pass as a skip."""
    try:
        return (yield)
    except MissingDependencyError as missing:
        named = re.search(r"omnichannel\[(\w+)\]", str(missing))
        module = _EXTRA_MODULES.get(named.group(1)) if named else None
        if module is None or importlib.util.find_spec(module) is not None:
            raise
        pytest.skip(f"needs an optional extra: {missing}")
