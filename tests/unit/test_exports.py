"""The public surface is exactly ``__all__``; private modules stay private."""

import omnichannel
import omnichannel.reference
import omnichannel.serialization


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in dir(omnichannel) if not name.startswith("_")}
    modules = {
        "allocation",
        "reference",
        "serialization",
        "sourcing",
        "testing",
        "returns",
        "simulation",
    }
    assert public - modules == set(omnichannel.__all__) - {"__version__"}
    assert len(omnichannel.__all__) == len(set(omnichannel.__all__))


def test_every_exported_name_resolves() -> None:
    for package in (omnichannel, omnichannel.serialization):
        for name in package.__all__:
            assert getattr(package, name) is not None


def test_exported_classes_say_they_live_in_the_package() -> None:
    assert omnichannel.Order.__module__.startswith("omnichannel.")


def test_cancellation_names_are_public() -> None:
    for name in ("cancel", "Cancellation", "CancellationResult"):
        assert name in omnichannel.__all__
    assert "cancel" in omnichannel.reference.__all__


def test_the_simulation_package_exports_exactly_its_all() -> None:
    import omnichannel.simulation as simulation

    public = {name for name in dir(simulation) if not name.startswith("_")}
    assert public == set(simulation.__all__)
    for name in ("Checkout", "Replenishment", "SimulatedRun", "simulate", "compare"):
        assert name in simulation.__all__
