"""Dependencies point down; optional packages stay unimported until asked for."""

import json
import subprocess
import sys

import pytest

LAYERS = {
    "omnichannel._domain": 0,
    "omnichannel._core": 1,
    "omnichannel.sourcing": 2,
    "omnichannel.allocation": 2,
    "omnichannel.returns": 2,
    "omnichannel._engine": 3,
    "omnichannel.reference": 3,
    "omnichannel.serialization": 4,
    "omnichannel.testing": 4,
    "omnichannel.simulation": 4,
}


def loaded_after(statement: str) -> list[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return list(json.loads(output))


def test_import_omnichannel_pulls_in_no_optional_package() -> None:
    loaded = loaded_after("import omnichannel")
    for optional in ("hypothesis", "scipy", "matplotlib", "rich", "pytest"):
        assert not any(m == optional or m.startswith(optional + ".") for m in loaded), optional
    for edge in ("omnichannel.testing", "omnichannel.simulation", "omnichannel.serialization"):
        assert edge not in loaded


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    try:
        loaded = loaded_after(f"import {layer}")
    except subprocess.CalledProcessError:
        pytest.skip(f"{layer} does not exist yet")
    above = [
        name
        for name, level in LAYERS.items()
        if level > LAYERS[layer] and any(m == name or m.startswith(name + ".") for m in loaded)
    ]
    assert above == []
