"""Simulated retail days and weeks: seeded networks, catalogues, orders and returns,
run through configurations of strategies and compared on KPIs; sweeps of
configurations over seeds, on any executor."""

from ._checkout import Checkout as Checkout
from ._kpis import DayKpis as DayKpis
from ._replenishment import Replenishment as Replenishment
from ._scenario import DEFAULT_STOCK_ACCURACY as DEFAULT_STOCK_ACCURACY
from ._scenario import DayMix as DayMix
from ._scenario import Scenario as Scenario
from ._simulate import Comparison as Comparison
from ._simulate import SimulatedRun as SimulatedRun
from ._simulate import SimulationConfig as SimulationConfig
from ._simulate import compare as compare
from ._simulate import simulate as simulate
from ._sweep import SweepResult as SweepResult
from ._sweep import sweep as sweep

__all__ = [
    "DEFAULT_STOCK_ACCURACY",
    "Checkout",
    "Comparison",
    "DayKpis",
    "DayMix",
    "Replenishment",
    "Scenario",
    "SimulatedRun",
    "SimulationConfig",
    "SweepResult",
    "compare",
    "simulate",
    "sweep",
]
