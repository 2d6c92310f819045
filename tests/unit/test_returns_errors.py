"""Bad return calls get clear errors naming the request and the field."""

from typing import Any

import numpy as np
import pytest

import omnichannel as oc
from omnichannel import reference
from omnichannel.returns import ReturnBatch

HERE = oc.GeoPoint(lat=50.0, lon=10.0)
NETWORK = oc.Network(
    nodes=[
        oc.Node(id="dc", kind=oc.NodeKind.DC, location=HERE, capabilities=oc.Capability.RESTOCK),
        oc.Node(
            id="store",
            kind=oc.NodeKind.STORE,
            location=HERE,
            capabilities=oc.Capability.ACCEPT_RETURNS,
        ),
        oc.Node(
            id="closed",
            kind=oc.NodeKind.STORE,
            location=HERE,
            active=False,
            capabilities=oc.Capability.ACCEPT_RETURNS,
        ),
        oc.Node(id="no_desk", kind=oc.NodeKind.STORE, location=HERE, capabilities=oc.Capability(0)),
    ],
    channels=[oc.Channel(id="web", kind=oc.ChannelKind.WEB)],
)
STOCK = oc.Inventory.from_positions([])
ROUTE_RETURNS = [oc.route_returns, reference.route_returns]


def request(request_id: str = "r1", **fields: Any) -> oc.ReturnRequest:
    values: dict[str, Any] = {
        "channel_id": "web",
        "method": oc.ReturnMethod.IN_STORE,
        "drop_off_node_id": "store",
        "lines": [
            oc.ReturnLine(
                sku="A", quantity=1, condition=oc.ReturnCondition.SELLABLE, unit_value=10.0
            )
        ],
    }
    values.update(fields)
    return oc.ReturnRequest(id=request_id, **values)


@pytest.mark.parametrize("route_returns", ROUTE_RETURNS)
def test_unknown_channel_names_the_request(route_returns: Any) -> None:
    with pytest.raises(oc.UnknownReferenceError) as caught:
        route_returns([request(), request("r2", channel_id="fax")], NETWORK, STOCK)
    assert str(caught.value) == "requests[1].channel_id: return 'r2' names unknown channel 'fax'"


@pytest.mark.parametrize("route_returns", ROUTE_RETURNS)
def test_unknown_drop_off_node_names_the_request(route_returns: Any) -> None:
    with pytest.raises(oc.UnknownReferenceError, match=r"requests\[0\].drop_off_node_id"):
        route_returns([request(drop_off_node_id="nowhere")], NETWORK, STOCK)


def test_every_bad_drop_off_is_listed() -> None:
    bad = [
        request("r1", drop_off_node_id="closed"),
        request("r2", drop_off_node_id="no_desk"),
        request("r3", method=oc.ReturnMethod.PICKUP_POINT),
    ]
    with pytest.raises(oc.InvalidInputError) as caught:
        oc.route_returns(bad, NETWORK, STOCK)
    message = str(caught.value)
    assert "requests[0].drop_off_node_id: node 'closed' is not active" in message
    assert "requests[1].drop_off_node_id: node 'no_desk' does not ACCEPT_RETURNS" in message
    assert (
        "requests[2].drop_off_node_id: PICKUP_POINT returns need a PICKUP_POINT node, "
        "'store' is STORE" in message
    )


def test_duplicate_ids_and_foreign_objects_are_listed() -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        oc.route_returns([request(), request(), "r3"], NETWORK, STOCK)  # type: ignore[list-item]
    message = str(caught.value)
    assert "requests[1].id: duplicate of requests[0]: 'r1'" in message
    assert "requests[2]: must be ReturnRequest, got 'r3'" in message


def test_requests_must_be_a_sequence() -> None:
    with pytest.raises(oc.InvalidInputError, match="requests: must be a collection"):
        oc.route_returns("r1", NETWORK, STOCK)  # type: ignore[arg-type]


def test_a_bad_quantity_is_refused_when_the_line_is_built() -> None:
    with pytest.raises(oc.InvalidInputError, match="quantity: must be >= 1, got 0"):
        oc.ReturnLine(sku="A", quantity=0, condition=oc.ReturnCondition.SELLABLE, unit_value=1.0)


def test_mail_needs_an_origin() -> None:
    with pytest.raises(oc.InvalidInputError, match="origin: required for MAIL"):
        request(method=oc.ReturnMethod.MAIL, drop_off_node_id=None)


class WrongShape:
    def costs(self, batch: ReturnBatch, /) -> np.ndarray:
        return np.zeros((batch.n_lines, batch.n_nodes))


class NotANumber:
    def costs(self, batch: ReturnBatch, /) -> np.ndarray:
        scores = np.zeros((batch.n_dispositions, batch.n_lines, batch.n_nodes))
        scores[0, 0, 1] = np.nan
        return scores


def test_a_strategy_with_the_wrong_shape_is_named() -> None:
    with pytest.raises(oc.InvalidInputError, match=r"strategy: costs\(\) must return an array"):
        oc.route_returns([request()], NETWORK, STOCK, strategy=WrongShape())


def test_a_strategy_returning_nan_names_the_option() -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        oc.route_returns([request()], NETWORK, STOCK, strategy=NotANumber())
    assert "returned nan for line 0 as RESTOCK at node 'dc'" in str(caught.value)


def test_a_strategy_must_have_costs() -> None:
    with pytest.raises(oc.InvalidInputError, match="strategy: must implement ReturnStrategy"):
        oc.route_returns([request()], NETWORK, STOCK, strategy=object())  # type: ignore[arg-type]


def test_the_reference_implements_the_built_ins_only() -> None:
    with pytest.raises(oc.InvalidInputError, match="built-in strategies only"):
        reference.route_returns([request()], NETWORK, STOCK, strategy=WrongShape())


def test_dispositions_must_be_a_table() -> None:
    with pytest.raises(oc.InvalidInputError, match="dispositions: must be DispositionTable"):
        oc.route_returns([request()], NETWORK, STOCK, dispositions={})  # type: ignore[arg-type]


def test_a_bad_table_lists_every_problem() -> None:
    with pytest.raises(oc.InvalidInputError) as caught:
        oc.DispositionTable(
            recovery={
                oc.ReturnCondition.SELLABLE: {oc.Disposition.RESTOCK: 1.5},
                oc.ReturnCondition.OPEN_BOX: {oc.Disposition.KEEP: 0.5},
            }
        )
    message = str(caught.value)
    assert "recovery: needs every condition; missing DAMAGED, DEFECTIVE" in message
    assert "recovery[SELLABLE][RESTOCK]: must be a number in [0, 1], got 1.5" in message
    assert "recovery[OPEN_BOX][KEEP]: key must be a Disposition other than KEEP" in message


def test_a_table_must_price_every_option_it_lists() -> None:
    empty: dict[oc.ReturnCondition, dict[oc.Disposition, float]] = {
        c: {} for c in oc.ReturnCondition
    }
    empty[oc.ReturnCondition.DAMAGED] = {oc.Disposition.LIQUIDATE: 0.1}
    with pytest.raises(oc.InvalidInputError, match=r"handling\[LIQUIDATE\]: missing"):
        oc.DispositionTable(recovery=empty, handling={})
