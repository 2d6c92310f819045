"""Carrier rate tables from CSV and JSON: what merchants keep, read strictly, written
back exactly."""

import inspect
import io
import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnichannel import CarrierService, InvalidInputError, ServiceLevel
from omnichannel.serialization import RATE_TABLE_COLUMNS, read_rate_table, write_rate_table
from omnichannel.testing import strategies as oms

TABLE = """zone_max_km,weight_max_kg,price
150,2,4.90
150,5,6.50
600,2,5.90
600,5,
"""
"""Two zones x two weight steps; the far zone has no price for 5 kg."""

POST = {"name": "post", "service_level": ServiceLevel.STANDARD}


def read(text: str, **keywords: Any) -> CarrierService:
    return read_rate_table(io.StringIO(text), **{**POST, **keywords})


def problems(text: str, **keywords: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInputError) as caught:
        read(text, **keywords)
    return list(caught.value.problems)


def others(service: CarrierService) -> dict[str, Any]:
    """The fields of ``service`` that are not in its table, as keywords."""
    table = {"zones", "weight_steps_kg", "prices", "transit_days"}
    return {
        f.name: getattr(service, f.name)
        for f in attrs.fields(CarrierService)
        if f.name not in table
    }


# -- reading ------------------------------------------------------------------------------


def test_a_csv_table_becomes_zones_steps_and_prices_with_its_gap() -> None:
    service = read(TABLE)
    assert service.zones == (150.0, 600.0)
    assert service.weight_steps_kg == (2.0, 5.0)
    assert service.prices == ((4.9, 6.5), (5.9, None))
    assert (service.name, service.service_level) == ("post", ServiceLevel.STANDARD)


def test_rows_and_columns_may_come_in_any_order() -> None:
    shuffled = "price,weight_max_kg,zone_max_km\n,5,600\n6.5,5,150\n5.9,2,600\n4.9,2,150\n"
    assert read(shuffled) == read(TABLE)


def test_spreadsheet_noise_is_tolerated_byte_order_mark_spaces_crlf_and_blank_rows() -> None:
    noisy = (
        "\ufeff zone_max_km , weight_max_kg , price \r\n"
        " 150 , 2 , 4.90 \r\n,,\r\n150,5,6.50\r\n\r\n600,2,5.90\r\n600,5, \r\n\r\n"
    )
    assert read(noisy) == read(TABLE)


def test_the_other_fields_are_keywords_passed_to_the_service() -> None:
    service = read(
        TABLE,
        per_kg_beyond=0.8,
        dim_divisor_cm3_per_kg=6000,
        max_parcel_kg=30,
        max_parcel_cm=150,
        fuel_surcharge=0.12,
        per_parcel_surcharge=1.5,
        max_km=500,
    )
    assert (service.per_kg_beyond, service.fuel_surcharge, service.max_km) == (0.8, 0.12, 500.0)
    assert (service.dim_divisor_cm3_per_kg, service.max_parcel_kg) == (6000.0, 30.0)
    assert (service.max_parcel_cm, service.per_parcel_surcharge) == (150.0, 1.5)


def test_the_keywords_default_as_carrier_service_does() -> None:
    signature = inspect.signature(read_rate_table).parameters
    for field in attrs.fields(CarrierService):
        if field.default is not attrs.NOTHING and field.name != "transit_days":  # a column
            assert signature[field.name].default == field.default, field.name
    assert others(read(TABLE)) == others(
        CarrierService(**POST, zones=[1], weight_steps_kg=[1], prices=[[1]])
    )


def test_a_bad_keyword_is_reported_by_the_service_under_its_name() -> None:
    assert problems(TABLE, fuel_surcharge=-0.1) == [
        ("fuel_surcharge", "must be between 0.0 and 10.0, got -0.1")
    ]


def test_json_rows_read_as_the_csv_does() -> None:
    rows = [
        {"zone_max_km": 150, "weight_max_kg": 2, "price": 4.9},
        {"zone_max_km": 150, "weight_max_kg": 5, "price": 6.5},
        {"zone_max_km": 600, "weight_max_kg": 2, "price": 5.9},
        {"zone_max_km": 600, "weight_max_kg": 5, "price": None},
    ]
    assert read(json.dumps(rows), format="json") == read(TABLE)
    assert read(json.dumps(rows, indent=2), format="json") == read(TABLE)


def test_paths_are_read_by_their_suffix(tmp_path: Path) -> None:
    (tmp_path / "rates.csv").write_text(TABLE, encoding="utf-8")
    write_rate_table(read(TABLE), tmp_path / "rates.json")
    for name in ("rates.csv", "rates.json"):
        assert read_rate_table(tmp_path / name, **POST) == read(TABLE)
        assert read_rate_table(str(tmp_path / name), **POST) == read(TABLE)
    (tmp_path / "rates.txt").write_text(TABLE, encoding="utf-8")
    assert read_rate_table(tmp_path / "rates.txt", **POST, format="csv") == read(TABLE)
    with pytest.raises(InvalidInputError, match=r"rates\.txt: must end in \.csv or \.json"):
        read_rate_table(tmp_path / "rates.txt", **POST)


def test_a_path_that_cannot_be_read_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "gone.csv"
    with pytest.raises(InvalidInputError, match=r"gone\.csv: cannot read the file"):
        read_rate_table(missing, **POST)
    (tmp_path / "latin.csv").write_bytes(TABLE.replace("4.90", "4,90 \xe9").encode("latin-1"))
    with pytest.raises(InvalidInputError, match=r"latin\.csv: is not UTF-8 text"):
        read_rate_table(tmp_path / "latin.csv", **POST)


def test_errors_name_an_open_files_name_and_a_stream_without_one_as_stream(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(TABLE.replace("4.90", "abc"), encoding="utf-8")
    with path.open(encoding="utf-8") as stream, pytest.raises(InvalidInputError) as caught:
        read_rate_table(stream, **POST)
    assert caught.value.problems == (
        (f"{path}:2: price", "must be a finite number >= 0, got 'abc'"),
    )
    assert problems(TABLE.replace("4.90", "abc"))[0][0] == "<stream>:2: price"


def test_a_stream_must_give_text_and_a_source_must_be_a_path_or_stream() -> None:
    with pytest.raises(InvalidInputError, match="must be a text stream"):
        read_rate_table(io.BytesIO(TABLE.encode()), **POST)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^source: must be a path or a text stream"):
        read_rate_table(42, **POST)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^format: must be 'csv', 'json' or None"):
        read(TABLE, format="xlsx")


# -- strict: every problem, with its file, line and column ---------------------------------


def test_every_bad_cell_is_listed_with_its_line_and_column() -> None:
    bad = (
        "zone_max_km,weight_max_kg,price\n"
        "150,2,abc\n"  # 2
        "150,5,-1\n"  # 3
        "600,x,\n"  # 4
        "600,1_0,nan\n"  # 5
        "-5,2,inf\n"  # 6
        "600,0,1e13\n"  # 7
        "700,2,1\n"  # 8
        "700,2,1\n"  # 9
        "150,5\n"  # 10
    )
    assert problems(bad) == [
        ("<stream>:2: price", "must be a finite number >= 0, got 'abc'"),
        ("<stream>:3: price", "must be a finite number >= 0, got '-1'"),
        ("<stream>:4: weight_max_kg", "must be a finite number > 0, got 'x'"),
        ("<stream>:5: weight_max_kg", "must be a finite number > 0, got '1_0'"),
        ("<stream>:5: price", "must be a finite number >= 0, got 'nan'"),
        ("<stream>:6: zone_max_km", "must be a finite number >= 0, got '-5'"),
        ("<stream>:6: price", "must be a finite number >= 0, got 'inf'"),
        ("<stream>:7: weight_max_kg", "must be a finite number > 0, got '0'"),
        ("<stream>:7: price", "must be at most 1e+12, got '1e13'"),
        ("<stream>:9", "zone_max_km 700, weight_max_kg 2 is given twice: first on line 8"),
        ("<stream>:10", "must have 3 cells like the header, got 2"),
    ]


def test_an_error_is_one_line_per_problem_and_a_value_error() -> None:
    with pytest.raises(ValueError, match="price") as caught:
        read(TABLE.replace("4.90", "abc").replace("6.50", "-2"))
    assert str(caught.value).splitlines() == [
        "<stream>:2: price: must be a finite number >= 0, got 'abc'",
        "<stream>:3: price: must be a finite number >= 0, got '-2'",
    ]


def test_a_duplicate_is_found_even_when_the_first_rows_price_is_bad() -> None:
    found = problems(TABLE.replace("150,5,6.50", "150,2,6.50").replace("4.90", "x"))
    assert ("<stream>:3", "zone_max_km 150, weight_max_kg 2 is given twice: first on line 2") in (
        found
    )


def test_the_header_must_name_each_column_once_and_nothing_else() -> None:
    assert problems("zone_max_km,weight_kg,price,price\n150,2,1,1\n") == [
        (
            "<stream>:1: weight_kg",
            "unknown column 'weight_kg'; the columns are zone_max_km, weight_max_kg, price "
            "and optionally transit_days",
        ),
        ("<stream>:1: price", "column given twice"),
        ("<stream>:1: weight_max_kg", "required column missing"),
    ]


def test_an_empty_file_or_a_header_alone_is_no_table() -> None:
    assert problems("") == [
        ("<stream>:1", "must start with a header: zone_max_km,weight_max_kg,price")
    ]
    assert problems("zone_max_km,weight_max_kg,price\n\n") == [
        ("<stream>", "has no rows: a table needs at least one zone x weight step")
    ]


def test_every_missing_zone_by_step_cell_is_listed() -> None:
    rows = "zone_max_km,weight_max_kg,price\n150,2,1\n600,5,2\n"
    assert problems(rows) == [
        (
            "<stream>",
            f"has no row for zone_max_km {zone}, weight_max_kg {step}: every zone needs a row "
            "per weight step (an empty price for none)",
        )
        for zone, step in ((150, 5), (600, 2))
    ]


def test_bad_quoting_is_reported_on_its_line() -> None:
    assert problems(TABLE + '700,2,"1"x\n') == [
        ("<stream>:6", "is not valid CSV: ',' expected after '\"'")
    ]


def test_more_zones_than_a_service_may_have_are_refused() -> None:
    rows = "zone_max_km,weight_max_kg,price\n" + "".join(f"{z},1,1\n" for z in range(1001))
    assert problems(rows) == [("<stream>", "has 1001 distinct zone_max_km, at most 1000")]


def test_the_list_stops_at_100_problems_and_counts_the_rest() -> None:
    rows = "zone_max_km,weight_max_kg,price\n" + "".join(f"{z},1,x\n" for z in range(150))
    found = problems(rows)
    assert len(found) == 101
    assert found[99] == ("<stream>:101: price", "must be a finite number >= 0, got 'x'")
    assert found[100] == ("<stream>", "and 50 more problem(s) not listed")


def test_json_rows_are_checked_as_strictly_with_the_line_each_row_starts_on() -> None:
    text = (
        "[\n"
        '  {"zone_max_km": 150, "weight_max_kg": 2, "price": "4.9"},\n'  # 2
        '  {"zone_max_km": 150, "weight_max_kg": true, "prize": 3},\n'  # 3
        '  {"zone_max_km": 600, "weight_max_kg": 2, "price": NaN},\n'  # 4
        "  4,\n"  # 5
        '  {"zone_max_km": 600,\n'  # 6
        '   "weight_max_kg": 5, "price": -1}\n'
        "]\n"
    )
    assert problems(text, format="json") == [
        ("<stream>:2: price", "must be a finite number >= 0 (a JSON number), got '4.9'"),
        (
            "<stream>:3: prize",
            "unknown column 'prize'; the columns are zone_max_km, weight_max_kg, price "
            "and optionally transit_days",
        ),
        ("<stream>:3: price", "required column missing"),
        ("<stream>:3: weight_max_kg", "must be a finite number > 0 (a JSON number), got True"),
        ("<stream>:4: price", "must be a finite number >= 0, got nan"),
        ("<stream>:5", "must be a row object, got 4"),
        ("<stream>:6: price", "must be a finite number >= 0, got -1"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"zone_max_km": 1}', ("<stream>:1", "must be a JSON list of row objects")),
        ("", ("<stream>:1", "must be a JSON list of row objects")),
        (
            '[\n{"zone_max_km": 1, "weight_max_kg": 2, "price": 1}\n{}]',
            ("<stream>:3", "is not valid JSON: expecting ',' or ']'"),
        ),
        (
            '[\n{"zone_max_km": 1, "weight_max_kg": 2, "price": 1, "price": 2}]',
            ("<stream>:2: price", "key given twice in one row"),
        ),
        (
            '[\n{"zone_max_km": 1,\n]',
            ("<stream>:3", "is not valid JSON: Expecting property name enclosed in double quotes"),
        ),
        (
            '[{"zone_max_km": 1, "weight_max_kg": 2, "price": 1}]\n[]',
            ("<stream>:2", "extra data after the list"),
        ),
        ("[]", ("<stream>", "has no rows: a table needs at least one zone x weight step")),
    ],
)
def test_a_json_file_that_is_not_a_list_of_rows_is_refused(
    text: str, expected: tuple[str, str]
) -> None:
    assert problems(text, format="json") == [expected]


# -- writing, and the round trip ------------------------------------------------------------


def test_the_writer_gives_the_merchants_shape() -> None:
    out = io.StringIO()
    write_rate_table(read(TABLE), out)
    assert out.getvalue() == TABLE.replace("4.90", "4.9").replace("6.50", "6.5").replace(
        "5.90", "5.9"
    )
    assert out.getvalue().splitlines()[0] == ",".join(RATE_TABLE_COLUMNS)


def test_the_writer_writes_json_rows_with_null_for_a_gap() -> None:
    out = io.StringIO()
    write_rate_table(read(TABLE), out, format="json")
    rows = json.loads(out.getvalue())
    assert rows[-1] == {"zone_max_km": 600, "weight_max_kg": 5, "price": None}
    assert len(rows) == 4


def test_a_path_gets_the_text_a_stream_gets_in_the_format_of_its_suffix(tmp_path: Path) -> None:
    for format in ("csv", "json"):
        out = io.StringIO()
        write_rate_table(read(TABLE), out, format=format)  # type: ignore[arg-type]
        write_rate_table(read(TABLE), tmp_path / f"rates.{format}")
        assert (tmp_path / f"rates.{format}").read_text(encoding="utf-8") == out.getvalue()


def test_the_writer_refuses_anything_but_a_carrier_service() -> None:
    with pytest.raises(InvalidInputError, match=r"^service: must be CarrierService"):
        write_rate_table({"zones": [1]}, io.StringIO())  # type: ignore[arg-type]


def round_trip(service: CarrierService, format: str) -> CarrierService:
    out = io.StringIO()
    write_rate_table(service, out, format=format)  # type: ignore[arg-type]
    back = io.StringIO(out.getvalue())
    return read_rate_table(back, format=format, **others(service))  # type: ignore[arg-type]


@given(service=oms.carrier_services(), format=st.sampled_from(["csv", "json"]))
def test_a_written_table_reads_back_equal(service: CarrierService, format: str) -> None:
    assert round_trip(service, format) == service


@given(
    zones=st.lists(st.floats(0.0, 1e12), min_size=1, max_size=3, unique=True).map(sorted),
    steps=st.lists(st.floats(1e-300, 1e6), min_size=1, max_size=3, unique=True).map(sorted),
    price=st.none() | st.floats(0.0, 1e12),
    format=st.sampled_from(["csv", "json"]),
)
def test_any_float_in_range_survives_the_round_trip_to_the_last_bit(
    zones: list[float], steps: list[float], price: float | None, format: str
) -> None:
    service = CarrierService(
        **POST, zones=zones, weight_steps_kg=steps, prices=[[price] * len(steps)] * len(zones)
    )
    assert round_trip(service, format) == service


# -- transit days -------------------------------------------------------------------------

TRANSIT = """zone_max_km,weight_max_kg,price,transit_days
150,2,4.90,1
150,5,6.50,1
600,2,5.90,3
600,5,,3
"""
"""The table with each zone's transit days."""


def test_a_transit_days_column_gives_each_zone_its_days() -> None:
    service = read(TRANSIT)
    assert service.transit_days == (1, 3)
    assert attrs.evolve(service, transit_days=None) == read(TABLE)
    assert read(TABLE).transit_days is None


def test_transit_days_are_written_last_and_read_back_in_both_formats() -> None:
    service = read(TRANSIT)
    for format in ("csv", "json"):
        stream = io.StringIO()
        write_rate_table(service, stream, format=format)  # type: ignore[arg-type]
        stream.seek(0)
        assert read_rate_table(stream, **POST, format=format) == service  # type: ignore[arg-type]
    stream = io.StringIO()
    write_rate_table(service, stream)
    assert stream.getvalue() == TRANSIT.replace("4.90", "4.9").replace("6.50", "6.5").replace(
        "5.90", "5.9"
    )


def test_bad_transit_days_are_each_reported_with_their_line() -> None:
    bad = (
        "zone_max_km,weight_max_kg,price,transit_days\n"
        "150,2,4.90,1\n150,5,6.50,2\n600,2,5.90,x\n600,5,,1.5\n"
    )
    assert problems(bad) == [
        (
            "<stream>:3: transit_days",
            "zone_max_km 150 has 1 transit day(s) on line 2: every row of a zone gives "
            "the same, got 2",
        ),
        ("<stream>:4: transit_days", "must be a whole number of days from 0 to 365, got 'x'"),
        ("<stream>:5: transit_days", "must be a whole number of days from 0 to 365, got '1.5'"),
    ]


def test_json_rows_give_transit_days_on_every_row_or_none() -> None:
    rows = [
        {"zone_max_km": 150, "weight_max_kg": 2, "price": 4.9, "transit_days": 1},
        {"zone_max_km": 600, "weight_max_kg": 2, "price": 5.9},
    ]
    assert problems(json.dumps(rows, indent=1), format="json") == [
        ("<stream>:8: transit_days", "missing: line 2 gives it, so every row must")
    ]
    rows[1]["transit_days"] = True
    assert problems(json.dumps(rows, indent=1), format="json") == [
        (
            "<stream>:8: transit_days",
            "must be a whole number of days from 0 to 365, got True",
        )
    ]
