"""DemandRates reads the same rates one at a time and as a dense block."""

from hypothesis import given
from hypothesis import strategies as st

from omnichannel import DemandRates

NODES = ["n1", "n2", "n3"]
SKUS = ["A", "B", "C", "D"]


@given(
    rates=st.dictionaries(
        st.tuples(st.sampled_from(NODES), st.sampled_from(SKUS)),
        st.floats(min_value=0.0, max_value=50.0),
    ),
    skus=st.lists(st.sampled_from([*SKUS, "unknown"])),
    node_ids=st.lists(st.sampled_from([*NODES, "nowhere"]), unique=True),
)
def test_dense_block_matches_each_rate(
    rates: dict[tuple[str, str], float], skus: list[str], node_ids: list[str]
) -> None:
    demand = DemandRates.from_mapping(rates)
    for _ in range(2):  # the second read comes from the kept arrays
        block = demand.dense(skus, node_ids)
        assert block.shape == (len(skus), len(node_ids))
        for row, sku in enumerate(skus):
            for column, node_id in enumerate(node_ids):
                assert block[row, column] == demand.rate(node_id, sku)
