"""A dated simulated day: waves at their times, daily loads carried, time KPIs."""

from __future__ import annotations

import datetime as dt

import pytest

import omnichannel as oc
from omnichannel.simulation import Scenario, SimulationConfig, compare, simulate
from omnichannel.sourcing import Fastest, LowestCost

START = dt.datetime(2026, 3, 2, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def day() -> Scenario:
    return Scenario.generate(n_nodes=20, n_skus=100, n_orders=600, rng=3, start=START)


def test_a_dated_day_measures_time(day: Scenario) -> None:
    kpis = simulate(day, now=START)
    assert kpis.on_time_rate is not None
    assert 0.0 <= kpis.on_time_rate <= 1.0
    assert kpis.lead_hours_ship_to_home is not None
    assert kpis.lead_hours_ship_to_home > 0.0
    assert kpis.ready_within_2h is not None


def test_without_now_the_time_kpis_are_off(day: Scenario) -> None:
    kpis = simulate(day)
    assert kpis.on_time_rate is None
    assert kpis.lead_hours_ship_to_home is None


def test_the_table_shows_time_rows_only_when_dated(day: Scenario) -> None:
    configs = [SimulationConfig(name="cost", sourcing=LowestCost())]
    assert "on time %" not in compare(day, configs).table()
    dated = compare(day, [*configs, SimulationConfig(name="fast", sourcing=Fastest())], now=START)
    assert "on time %" in dated.table()
    cheapest, fastest = dated.kpis
    assert fastest.lead_hours_ship_to_home is not None
    assert cheapest.lead_hours_ship_to_home is not None
    assert fastest.lead_hours_ship_to_home <= cheapest.lead_hours_ship_to_home


def test_a_naive_now_is_refused(day: Scenario) -> None:
    with pytest.raises(oc.InvalidInputError, match="now"):
        simulate(day, now=dt.datetime(2026, 3, 2))
