"""What both plain specifications need of the network: nodes in tie-break order, and
the km from a point to each."""

from __future__ import annotations

import numpy as np

from .._core.geo import distance_km
from .._domain.geo import GeoPoint
from .._domain.network import Network, Node


def canonical_nodes(network: Network) -> list[Node]:
    """Nodes in the order that breaks ties: rank, then id."""
    return sorted(network.nodes, key=lambda node: (node.rank, node.id))


def km_to(point: GeoPoint, nodes: list[Node]) -> list[float]:
    """Great-circle km from ``point`` to each of ``nodes``, by the engine's own kernel."""
    kms: list[float] = distance_km(
        np.array([point.lat]),
        np.array([point.lon]),
        np.array([n.location.lat for n in nodes]),
        np.array([n.location.lon for n in nodes]),
    ).tolist()
    return kms
