"""Tables in a shared region, decoded without trusting it: the server's decoder driven with
forged answers (offsets, lengths, bytes), and DataFrames that never keep a view of the region,
on either side. Also the encoding of float columns, which skips from_pandas' NaN pass."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from pandas.testing import assert_frame_equal

from nodes.code.sandbox import protocol, shm
from nodes.code.sandbox.pool import decode_answer

# -- the server's decoder, driven directly with forged answers ---------------------------------


@pytest.fixture
def region() -> Iterator[shm.Region]:
    fd, mapped = shm.create(16 << 20)
    os.close(fd)
    yield mapped
    mapped.close()


def put(region: shm.Region, df: pd.DataFrame, offset: int = 0) -> dict[str, Any]:
    meta, table = protocol.encode_table(df)
    region.write(table, offset)
    return {**meta, protocol.SHARED: [offset, table.size]}


def test_decoder_reads_a_table_at_any_offset_inside_the_region(region):
    df = pd.DataFrame({"a": [1, 2, 3], "s": ["x", None, "서울"]})
    meta = put(region, df, offset=4096)
    answer = {"ok": True, "tables": [meta]}
    assert_frame_equal(decode_answer(region, answer, [None], max_bytes=1 << 20), df)


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ([16 << 20, 1], "lies outside the shared region"),
        ([(16 << 20) - 10, 11], "lies outside the shared region"),
        ([-1, 5], "lies outside the shared region"),
        ([0, -5], "lies outside the shared region"),
        ([0, "10"], "bad shared-memory location"),
        ({"offset": 0}, "bad shared-memory location"),
    ],
)
def test_decoder_refuses_locations_outside_the_region(region, location, message):
    meta = put(region, pd.DataFrame({"a": [1]}))
    meta[protocol.SHARED] = location
    with pytest.raises(protocol.TableError, match=message):
        decode_answer(region, {"tables": [meta]}, [None], max_bytes=1 << 20)


def test_decoder_refuses_a_table_larger_than_allowed(region):
    meta = put(region, pd.DataFrame({"a": range(1000)}))
    with pytest.raises(protocol.TableError, match=r"table of \d+ bytes is larger than allowed"):
        decode_answer(region, {"tables": [meta]}, [None], max_bytes=100)


def test_decoder_refuses_a_region_table_from_a_worker_without_a_region():
    meta = {"json": [], protocol.SHARED: [0, 10]}
    with pytest.raises(protocol.TableError, match="this worker has none"):
        decode_answer(None, {"tables": [meta]}, [None], max_bytes=1 << 20)


def test_decoder_validates_string_offsets_before_reading_them(region):
    # A valid stream whose string offsets are then changed to point far past their data, as
    # a subverted worker could: Arrow must refuse it before anything reads through them.
    table = protocol.OutTable(pa.table({"s": pa.array(["abc", "defg"], pa.string())}))
    region.write(table, 0)
    stream = region.view(0, table.size)
    offsets = np.array([0, 3, 7], dtype="<i4").tobytes()
    at = bytes(stream).index(offsets)
    stream[at + 8 : at + 12] = np.array([1 << 30], dtype="<i4").tobytes()
    meta = {"json": [], protocol.SHARED: [0, table.size]}
    with pytest.raises(pa.ArrowInvalid, match="offset"):
        decode_answer(region, {"tables": [meta]}, [None], max_bytes=1 << 20)


def test_a_truncated_stream_is_refused(region):
    meta = put(region, pd.DataFrame({"a": range(100)}))
    meta[protocol.SHARED][1] -= 40
    with pytest.raises((pa.ArrowInvalid, OSError)):
        decode_answer(region, {"tables": [meta]}, [None], max_bytes=1 << 20)


# -- float columns skip from_pandas' NaN scan ----------------------------------------------------


FLOATS = {
    "nan_inf_negative_zero": pd.DataFrame(
        {"f": [1.5, np.nan, np.inf, -0.0, -np.inf], "s": ["a", None, "서울", "", "b"]}
    ),
    "float32_float16_and_a_float_index": pd.DataFrame(
        {
            "f32": np.array([1.25, np.nan, 3.0], dtype=np.float32),
            "f16": np.array([0.5, 1.0, np.nan], dtype=np.float16),
            "i": [1, 2, 3],
        },
        index=pd.Index([0.5, np.nan, 2.5], name="x"),
    ),
    "only_floats_with_a_string_index": pd.DataFrame({"f": [np.nan, 2.0]}, index=["a", "b"]),
    "numeric_labels": pd.DataFrame({1: [1.0, np.nan], 2: [3, 4], 2.5: [np.nan, 5.0]}),
    "column_of_a_fortran_block": pd.DataFrame(
        np.asfortranarray([[1.0, 2.0], [np.nan, 4.0], [5.0, 6.0]]), columns=["a", "b"]
    ),
    "empty": pd.DataFrame({"f": pd.Series([], dtype=float), "s": pd.Series([], dtype="str")}),
}


def tiled(df: pd.DataFrame, rows: int) -> pd.DataFrame:
    """``df``'s rows repeated to ``rows`` (a RangeIndex stays one)."""
    if df.empty:
        return df
    out = df.iloc[np.arange(rows) % len(df)]
    return out.reset_index(drop=True) if isinstance(df.index, pd.RangeIndex) else out


@pytest.mark.parametrize("rows", [None, 400_000])
@pytest.mark.parametrize("name", list(FLOATS))
def test_float_columns_cross_unchanged_with_the_metadata_from_pandas_writes(name, rows):
    df = FLOATS[name] if rows is None else tiled(FLOATS[name], rows)
    meta, table = protocol.encode_table(df)
    plain = df.set_axis([f"c{i}" for i in range(df.shape[1])], axis=1) if "labels" in meta else df
    assert table.table.schema.pandas_metadata == (
        pa.Table.from_pandas(plain, preserve_index=None).schema.pandas_metadata
    )
    assert_frame_equal(protocol.decode_table(meta, table), df)
    # Small tables take from_pandas (NaN becomes null), large ones keep NaN as a value.
    for position in range(df.shape[1]):
        column = df.iloc[:, position]
        if column.dtype.kind == "f" and column.isna().any():
            nulls = table.table.column(position).null_count
            assert nulls == (column.isna().sum() if rows is None else 0)


# -- no DataFrame keeps a view of the region ---------------------------------------------------


def memory_of(values: Any) -> Iterator[tuple[int, int]]:
    """``(address, size)`` of every buffer behind a pandas array (numpy and Arrow)."""
    if isinstance(values, np.ndarray):
        if values.dtype == object:
            return
        yield values.ctypes.data, values.nbytes
        return
    if hasattr(values, "_pa_array"):
        for chunk in values._pa_array.chunks:
            for buffer in chunk.buffers():
                if buffer is not None:
                    yield buffer.address, buffer.size
            if pa.types.is_dictionary(chunk.type):
                yield from memory_of(pd.array(chunk.dictionary))
        return
    for name in ("_ndarray", "_data", "_mask", "_codes", "_left", "_right"):
        if hasattr(values, name):
            yield from memory_of(getattr(values, name))
    if hasattr(values, "categories"):
        yield from memory_of(values.categories.array)


def points_into(df: pd.DataFrame, start: int, size: int) -> list[str]:
    inside = []
    for position, label in enumerate(df.columns):
        for address, length in memory_of(df.iloc[:, position].array):
            if start <= address < start + size or start < address + length <= start + size:
                inside.append(str(label))
    inside += [
        "index" for address, _ in memory_of(df.index.array) if start <= address < start + size
    ]
    return inside


def every_dtype(rows: int) -> pd.DataFrame:
    """Strings with unicode and nulls, nullable ints and booleans, naive and zoned datetimes,
    floats with NaN, a categorical, a mixed object column (sent as JSON), Arrow-backed ints,
    dates, durations, periods and a string index."""
    n = np.arange(rows)
    words = np.array(["서울", "Zürich", "naïve", "", "KR", "emoji 🚀", None], dtype=object)
    start = pd.Timestamp("2024-01-01")
    df = pd.DataFrame(
        {
            "id": n,
            "text": pd.array(words[n % len(words)], dtype="str"),
            "price": np.where(n % 11 == 0, np.nan, n * 0.5),
            "count": pd.array(np.where(n % 13 == 0, None, n % 100), dtype="Int64"),
            "flag": pd.array(np.where(n % 17 == 0, None, n % 2 == 0), dtype="boolean"),
            "at": start + pd.to_timedelta(n, unit="min"),
            "at_seoul": (start + pd.to_timedelta(n, unit="s")).tz_localize("Asia/Seoul"),
            "kind": pd.Categorical(np.array(["a", "b", "c"])[n % 3]),
            "mixed": np.array([1, "a", None, 2.5], dtype=object)[n % 4],
        }
    )
    df["int64_pyarrow"] = pd.array(range(rows), dtype="int64[pyarrow]")
    df["date"] = [datetime.date(2024, 1, 1 + i % 28) for i in range(rows)]
    df["span"] = pd.to_timedelta(np.arange(rows), unit="s")
    df["period"] = pd.period_range("2024-01", periods=rows, freq="D")
    df["float32"] = np.where(np.arange(rows) % 5 == 0, np.nan, np.arange(rows)).astype(np.float32)
    return df.set_index(pd.Index([f"r{i}" for i in range(rows)], name="row"))


# A small stream is copied whole; a large one column by column (see protocol._private).
@pytest.mark.parametrize(("rows", "large"), [(50, False), (30_000, True)])
def test_the_worker_decodes_region_tables_into_memory_of_its_own(region, rows, large):
    df = every_dtype(rows)
    meta = put(region, df)
    offset, length = region.span(meta[protocol.SHARED], max_bytes=None)
    assert (length > 1 << 20) == large
    start = np.frombuffer(region.view(0, region.size), dtype=np.uint8).ctypes.data
    # What a decode straight from the region would do: strings, categories and Arrow-backed
    # dtypes would keep pointing into it.
    in_place = protocol.decode_table(meta, region.view(offset, length))
    assert {"text", "kind", "int64_pyarrow", "index"} <= set(points_into(in_place, start, length))
    private = protocol.decode_table(meta, region.view(offset, length), private=True)
    assert points_into(private, start, region.size) == []
    assert_frame_equal(private, df)


@pytest.mark.parametrize("rows", [50, 30_000])
def test_the_server_decodes_region_tables_into_memory_of_its_own(region, rows):
    df = every_dtype(rows)
    meta = put(region, df)
    start = np.frombuffer(region.view(0, region.size), dtype=np.uint8).ctypes.data
    out = decode_answer(region, {"tables": [meta]}, [None], max_bytes=region.size)
    assert points_into(out, start, region.size) == []
    assert_frame_equal(out, df)


def test_the_memfd_cannot_be_shrunk_under_the_servers_mapping():
    fd, mapped = shm.create(1 << 16)
    try:
        with pytest.raises(PermissionError):
            os.ftruncate(fd, 0)
        with pytest.raises(PermissionError):
            os.ftruncate(fd, 1 << 20)
    finally:
        os.close(fd)
        mapped.close()
