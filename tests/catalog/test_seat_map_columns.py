"""The seat map in columns gives back the rows it was made from: exactly, but for x and y,
which come back rounded to 1/SCALE of a unit."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.seat_map_columns import SCALE, decode, encode

STATUSES = ["available", "reserved", "sold", "blocked"]
coordinate = st.floats(min_value=-5_000, max_value=5_000, allow_nan=False)
seat = st.tuples(
    st.integers(1, 2**31 - 1),  # id
    st.integers(1, 10**6),  # section_id
    st.text(max_size=10),  # row label
    st.integers(0, 10**6),  # number
    coordinate,
    coordinate,
    st.integers(1, 10**6),  # ticket_type_id
    st.sampled_from(STATUSES),
    st.integers(1, 10**6),  # version
    st.integers(0, 15),  # flags
)
area = st.fixed_dictionaries({"id": st.integers(1, 99), "name": st.text(max_size=5)})


def rounded(rows):
    return [(*row[:4], round(row[4] * SCALE) / SCALE, round(row[5] * SCALE) / SCALE, *row[6:])
            for row in rows]  # fmt: skip


@given(rows=st.lists(seat, max_size=60), areas=st.lists(area, max_size=3))
@settings(max_examples=150, deadline=None)
def test_columns_decode_to_the_rows_they_were_made_from(rows, areas):
    body = json.loads(json.dumps(encode(rows, areas)))  # as a client receives it
    decoded, decoded_areas = decode(body)
    assert decoded == rounded(rows)
    assert decoded_areas == areas
    for before, after in zip(rows, decoded, strict=True):
        assert abs(after[4] - before[4]) <= 0.5 / SCALE + 1e-9
        assert abs(after[5] - before[5]) <= 0.5 / SCALE + 1e-9


@given(
    start=st.integers(1, 10**6),
    count=st.integers(2, 300),
    step=st.floats(0.5, 3),
    status=st.sampled_from(STATUSES),
)
@settings(max_examples=50, deadline=None)
def test_a_row_of_even_steps_packs_into_a_few_numbers_per_column(start, count, step, status):
    rows = [(start + i, 7, "A", i + 1, i * step, 2.0, 3, status, 1, 0) for i in range(count)]
    body = encode(rows, [])
    assert len(body["id"]) <= 4 and body["section_id"] == [7, count]  # [start, 1, 1, count-1]
    assert body["number"] == [1, count] and body["row"] == [0, count]
    assert body["status"] == status[0] * count
    # Second differences of an even step: the first two, then 0 (or ±1 from rounding).
    assert all(abs(d) <= 1 for d in body["x"][2:])
    assert decode(body)[0] == rounded(rows)


def test_only_seats_with_flags_are_listed_by_their_distance():
    rows = [(i, 1, "A", i, 0.0, 0.0, 1, "available", 1, {3: 1, 4: 2, 9: 8}.get(i, 0))
            for i in range(1, 11)]  # fmt: skip
    body = encode(rows, [])
    assert body["flags"] == [2, 1, 1, 2, 5, 8]  # seat indexes 2, 3 and 8
    assert [row[9] for row in decode(body)[0]] == [0, 0, 1, 2, 0, 0, 0, 0, 8, 0]


def test_a_body_of_another_format_is_refused():
    with pytest.raises(ValueError):
        decode({"format": "columns-0"})
