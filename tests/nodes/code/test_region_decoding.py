"""Tables in a shared region, decoded without trusting it: the server's decoder driven with
forged answers (offsets, lengths, bytes, plain-table descriptions), a server whose DataFrames
never keep a view of the region, and a worker that reads it in place with writable numbers.
Also the encoding of float columns, which skips from_pandas' NaN pass."""

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


def _plain_answer(region: shm.Region, table: pa.Table, plain: dict[str, Any]) -> dict[str, Any]:
    out = protocol.OutTable(table)
    region.write(out, 0)
    return {"tables": [{"plain": plain, protocol.SHARED: [0, out.size]}]}


RANGE3 = {"range": [0, 3, 1], "name": None}


@pytest.mark.parametrize(
    ("table", "plain", "message"),
    [
        (
            pa.table({"a": [1, 2, 3]}),
            {"dtypes": ["object"], "labels": "str", "index": RANGE3},
            "bad description of a plain table",
        ),
        (
            pa.table({"a": [1, 2, 3]}),
            {"dtypes": ["int64"], "labels": "str", "index": {"range": [0, 3, 0], "name": None}},
            "bad description of a plain table",
        ),
        (
            pa.table({"a": [1, 2, 3]}),
            {"dtypes": ["int64"], "labels": "int", "index": RANGE3},
            "bad description of a plain table",
        ),
        (
            pa.table({"a": [1, 2, 3]}),
            {"dtypes": ["int64"], "labels": "str", "index": {"column": "object", "name": None}},
            "bad description of a plain table",
        ),
        (
            pa.table({"a": ["x", "y", "z"]}),
            {"dtypes": ["int64"], "labels": "str", "index": RANGE3},
            "column 'a' is string, not int64",
        ),
        (
            pa.table({"a": [1, 2, 3]}),
            {"dtypes": ["str"], "labels": "str", "index": RANGE3},
            "column 'a' is int64, not a string column",
        ),
        (
            pa.table({"a": [1, None, 3]}),
            {"dtypes": ["int64"], "labels": "str", "index": RANGE3},
            "column 'a' has nulls, which int64 cannot hold",
        ),
        (
            pa.table({"a": [1, 2, 3]}),
            {"dtypes": ["int64", "int64"], "labels": "str", "index": RANGE3},
            "plain table has 1 columns, expected 2",
        ),
        (
            pa.table({"a": [1, 2, 3]}),
            {"dtypes": ["int64"], "labels": "str", "index": {"range": [0, 5, 1], "name": None}},
            "index of 5 rows for a table of 3",
        ),
        (
            pa.table({"a": [1, 2, 3]}),
            {"dtypes": ["int64"], "labels": "str", "index": {"range": [0, 3, 1], "name": [1]}},
            "bad description of a plain table",
        ),
        (
            pa.table({"a": [1, 2, 3], "b": [1, 2, 3]}),
            {"dtypes": ["int64", "int64"], "labels": "str", "index": RANGE3, "order": [0, 0]},
            "bad description of a plain table",
        ),
        (
            pa.table({"a": [1, 2, 3]}),
            {"dtypes": ["int64"], "labels": "str", "index": RANGE3, "order": [1]},
            "bad description of a plain table",
        ),
    ],
)
def test_decoder_refuses_a_plain_table_that_is_not_what_it_says(region, table, plain, message):
    answer = _plain_answer(region, table, plain)
    with pytest.raises(protocol.TableError, match=message):
        decode_answer(region, answer, [None], max_bytes=1 << 20)


def test_decoder_turns_nulls_of_plain_floats_and_datetimes_into_nan_and_nat(region):
    # The server's encoder never sends nulls there; a worker may, and they are still values.
    table = pa.table(
        {
            "f": pa.array([1.5, None], pa.float64()),
            "t": pa.array([0, None], pa.timestamp("us")),
        }
    )
    plain = {
        "dtypes": ["float64", "datetime64[us]"],
        "labels": "str",
        "index": {"range": [0, 2, 1], "name": None},
    }
    out = decode_answer(region, _plain_answer(region, table, plain), [None], max_bytes=1 << 20)
    expected = pd.DataFrame(
        {"f": [1.5, np.nan], "t": pd.to_datetime(["1970-01-01", None]).as_unit("us")}
    )
    assert_frame_equal(out, expected)


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
    # A nullable column makes the frame not plain (see plainframe): it takes from_pandas.
    df = FLOATS[name] if rows is None else tiled(FLOATS[name], rows)
    df = df.assign(nullable=pd.array([None] * len(df), dtype="Int64"))
    meta, table = protocol.encode_table(df)
    assert "plain" not in meta
    plain = df.set_axis([f"c{i}" for i in range(df.shape[1])], axis=1) if "labels" in meta else df
    assert table.table.schema.pandas_metadata == (
        pa.Table.from_pandas(plain, preserve_index=None).schema.pandas_metadata
    )
    assert_frame_equal(protocol.decode_table(meta, table), df)
    # Small tables take from_pandas (NaN becomes null), large ones keep NaN as a value.
    for position in range(df.shape[1] - 1):
        column = df.iloc[:, position]
        if column.dtype.kind == "f" and column.isna().any():
            nulls = table.table.column(position).null_count
            assert nulls == (column.isna().sum() if rows is None else 0)


@pytest.mark.parametrize("name", list(FLOATS))
def test_plain_float_frames_cross_without_pandas_metadata(name):
    df = FLOATS[name]
    meta, table = protocol.encode_table(df)
    assert ("plain" in meta) == (name != "float32_float16_and_a_float_index")  # no float16
    assert_frame_equal(protocol.decode_table(meta, bytearray(table.to_bytes())), df)


# -- views of the region: in place in the worker, never in the server -------------------------


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


@pytest.mark.parametrize("rows", [50, 30_000])
def test_the_worker_decodes_region_tables_in_place_with_writable_numbers(region, rows):
    # The region is the request's until the answer is sent, so the worker reads it in place;
    # null-free numbers are writable views (pandas refuses df.loc[i, c] = v on read-only ones).
    df = every_dtype(rows)
    meta = put(region, df)
    offset, length = region.span(meta[protocol.SHARED], max_bytes=None)
    start = np.frombuffer(region.view(0, region.size), dtype=np.uint8).ctypes.data
    decoded = protocol.decode_table(meta, region.view(offset, length))
    assert_frame_equal(decoded, df)
    assert {"id", "text", "kind", "int64_pyarrow"} <= set(points_into(decoded, start, length))
    decoded.loc["r1", "id"] = -5
    expected = df.copy()
    expected.loc["r1", "id"] = -5
    assert_frame_equal(decoded, expected)


def test_plain_tables_decode_to_writable_views_of_writable_bytes(region):
    df = pd.DataFrame(
        {
            "i": np.arange(6, dtype=np.int32),
            "f": np.linspace(0, 1, 6),
            "t": pd.date_range("2024-01-01", periods=6, freq="h").as_unit("s").array,
            "d": pd.to_timedelta(np.arange(6), unit="ms"),
            "b": np.arange(6) % 2 == 0,
            "s": pd.array(["a", None, "서울", "", "b", "c"], dtype="str"),
        },
        index=pd.Index(np.arange(10, 16), name="row"),
    )
    meta = put(region, df)
    assert meta["plain"]["index"] == {"column": "int64", "name": "row"}
    offset, length = region.span(meta[protocol.SHARED], max_bytes=None)
    start = np.frombuffer(region.view(0, region.size), dtype=np.uint8).ctypes.data
    decoded = protocol.decode_table(meta, region.view(offset, length))
    assert_frame_equal(decoded, df)
    assert {"i", "f", "t", "d", "s"} <= set(points_into(decoded, start, length))
    decoded.loc[12, ["i", "f"]] = [7, 0.25]
    decoded.iat[0, 2] = pd.Timestamp("2030-01-01")
    expected = df.copy()
    expected.loc[12, ["i", "f"]] = [7, 0.25]
    expected.iat[0, 2] = pd.Timestamp("2030-01-01")
    assert_frame_equal(decoded, expected)
    # Read-only bytes give a frame of its own, just as writable.
    copied = protocol.decode_table(meta, bytes(region.view(offset, length)))
    assert points_into(copied, start, region.size) == []
    copied.loc[12, "i"] = 7
    assert copied.loc[12, "i"] == 7


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


# -- no view of the region outlives its run in the worker --------------------------------------


def test_release_fails_while_anything_decoded_from_the_view_lives(region):
    df = pd.DataFrame(
        {"n": np.arange(100), "s": pd.array(["a"] * 100, dtype="str"), "o": [1, "x"] * 50}
    )
    meta = put(region, df)
    kept: list[Any] = []
    for keep in (
        lambda d: d["n"].to_numpy(),
        lambda d: d["s"].array,
        lambda d: d.iloc[:10],
        lambda d: d[["n"]],
    ):
        view = region.view(*region.span(meta[protocol.SHARED], max_bytes=None))
        decoded = protocol.decode_table(meta, view)
        kept.append(keep(decoded))
        del decoded
        assert not shm.release_views([view])
        kept.clear()
        assert shm.release_views([view])


class NoWalls:
    """The worker's per-run limits, left out: these tests run the worker's code in pytest."""

    def enter_run(self, cpu_seconds: float, memory_mb: int) -> None:
        pass

    def leave_run(self) -> None:
        pass


def test_a_worker_whose_run_kept_a_view_of_the_region_asks_to_be_replaced(region, monkeypatch):
    # User code has no way to keep an object from one run to the next that we know of; this
    # stands in for one, found some day, by keeping the input behind the worker's back.
    from nodes.code.sandbox import execute, worker

    df = pd.DataFrame({"n": np.arange(1000), "f": np.linspace(0, 1, 1000)})
    meta = put(region, df)
    header = {
        "kind": "script",
        "code": "result = df[df['n'] > 500]",
        "names": ["src"],
        "tables": [meta],
        "limits": {"cpu_seconds": 5, "memory_mb": 512},
    }
    answer, _, _ = worker._serve_one(dict(header), [None], NoWalls(), region)
    assert answer["ok"] and not answer["recycle"]
    stash: list[pd.DataFrame] = []
    run = execute.run

    def keeps_its_input(head: dict[str, Any], tables: list[pd.DataFrame]) -> pd.DataFrame:
        stash.append(tables[0])
        return run(head, tables)

    monkeypatch.setattr(execute, "run", keeps_its_input)
    answer, _, _ = worker._serve_one(dict(header), [None], NoWalls(), region)
    assert answer["ok"] and answer["recycle"]
    result = decode_answer(region, answer, [None], max_bytes=region.size)
    assert_frame_equal(result, df[df["n"] > 500])


@pytest.mark.parametrize("rows", [7, 50_001])  # odd: int32 and int8 columns are padded
def test_plain_columns_of_one_dtype_decode_as_one_block_in_their_order(region, rows):
    # pandas keeps same-dtype columns in one 2D block; split ones make a script's df.copy()
    # consolidate them, a copy more than in-process. Encoded side by side, they come back as
    # one block of views, in the frame's own column order.
    n = np.arange(rows)
    df = pd.DataFrame(
        {
            "a": n,
            "s": pd.array(np.array(["x", "y", None], dtype=object)[n % 3], dtype="str"),
            "f": n * 0.5,
            "b": n * 2,
            "i32": (n % 1000).astype(np.int32),
            "g": n * 1.5,
            "i8": (n % 100).astype(np.int8),
            "j32": (n % 7).astype(np.int32),
            "c": n * 3,
            "k8": (n % 3).astype(np.int8),
        }
    )
    meta = put(region, df)
    assert meta["plain"]["order"] != list(range(df.shape[1]))
    decoded = protocol.decode_table(meta, region.view(*region.span(meta[protocol.SHARED], None)))
    assert_frame_equal(decoded, df)
    assert decoded._mgr.nblocks == len({str(t) for t in df.dtypes})
    start = np.frombuffer(region.view(0, region.size), dtype=np.uint8).ctypes.data
    numbers = ["a", "f", "b", "i32", "g", "i8", "j32", "c", "k8"]
    assert set(numbers) <= set(points_into(decoded, start, region.size))
    decoded.loc[1, ["a", "i32", "g", "k8"]] = [-1, -2, -3.5, -4]
    expected = df.copy()
    expected.loc[1, ["a", "i32", "g", "k8"]] = [-1, -2, -3.5, -4]
    assert_frame_equal(decoded, expected)


ROWS_DEFERRED = 20_000  # every column's values large enough to be written after the header
LAYOUT_CASES = {
    "numbers_text_datetimes_and_an_index": (
        lambda n: pd.DataFrame(
            {
                "i": n,
                "f": n * 0.5,
                "nan": np.where(n % 3 == 0, np.nan, 1.0),  # NaN is a value here, not a null
                "s": pd.array(np.array(["서울", "KR"])[n % 2], dtype="str"),
                "at": pd.Timestamp("2024-01-01") + pd.to_timedelta(n, unit="s"),
            },
            index=pd.Index(n * 2),
        ),
        False,
    ),
    "a_boolean_column": (lambda n: pd.DataFrame({"i": n, "b": n % 2 == 0}), True),
    "text_with_nulls": (
        lambda n: pd.DataFrame({"s": pd.array(np.where(n % 2 == 0, "a", None), dtype="str")}),
        True,
    ),
    "a_datetime_with_nat": (
        lambda n: pd.DataFrame({"at": pd.to_datetime(np.where(n % 2 == 0, "2024-01-01", None))}),
        True,
    ),
    "not_plain": (lambda n: pd.DataFrame({"i": pd.array(n, dtype="Int64")}), True),
}


@pytest.mark.parametrize("name", list(LAYOUT_CASES))
def test_tables_whose_layout_is_enough_decode_before_their_values_are_written(region, name):
    # The worker decodes such tables while the server is still copying their values into the
    # region (see worker._decode_inputs): the frame must come out right once they are there.
    from nodes.code.sandbox import copying, plainframe

    make, reads = LAYOUT_CASES[name]
    df = make(np.arange(ROWS_DEFERRED))
    meta, table = protocol.encode_table(df)
    region.view(0, region.size)[:] = b"\xab" * region.size
    values: list[Any] = []
    region.write(table, 0, deferred=values)
    assert values  # some values are not written yet
    view = region.view(0, table.size)
    opened = pa.ipc.open_stream(pa.py_buffer(view)).read_all()
    assert plainframe.reads_values(meta.get("plain"), opened) is reads
    if not reads:
        early = protocol.decode_table(meta, view, table=opened)
        copying.copy(values, None)
        assert_frame_equal(early, df)
    else:
        copying.copy(values, None)
        assert_frame_equal(protocol.decode_table(meta, view, table=opened), df)


@pytest.mark.parametrize("forgery", ["offset_past_the_data", "invalid_utf8", "none"])
def test_a_table_validated_while_it_is_decoded_is_still_refused_when_bad(region, forgery):
    # With a helper thread, the server decodes a plain table's layout while the helper
    # validates it (protocol.decode_table): a bad table must still be refused.
    from concurrent.futures import ThreadPoolExecutor

    df = pd.DataFrame({"n": np.arange(3), "s": pd.array(["ab", "cd", "é"], dtype="str")})
    meta = put(region, df)
    stream = region.view(*meta[protocol.SHARED])
    offsets = np.array([0, 2, 4, 6], dtype="<i8").tobytes()
    at = bytes(stream).index(offsets)
    if forgery == "offset_past_the_data":
        stream[at + 24 : at + 32] = np.array([1 << 40], dtype="<i8").tobytes()
    elif forgery == "invalid_utf8":
        data = bytes(stream).index("abcdé".encode())
        stream[data : data + 2] = b"\xff\xfe"
    with ThreadPoolExecutor(1) as helper:
        if forgery == "none":
            out = decode_answer(region, {"tables": [meta]}, [None], 1 << 20, helper)
            assert_frame_equal(out, df)
        else:
            with pytest.raises(pa.ArrowInvalid):
                decode_answer(region, {"tables": [meta]}, [None], 1 << 20, helper)


def test_a_request_that_fails_before_its_go_byte_still_reads_it(region):
    # The server sends the go byte after the request whatever the worker makes of it; a
    # worker that failed first must still read it, or take it for the next request's start.
    from nodes.code.sandbox import worker

    took: list[bool] = []
    header = {
        "kind": "script",
        "code": "result = df",
        "names": ["src"],
        "tables": [{protocol.SHARED: [region.size - 8, 100]}],
        "limits": {"cpu_seconds": 5, "memory_mb": 512},
        protocol.GO: True,
    }
    answer, _, _ = worker._serve_one(header, [None], NoWalls(), region, lambda: took.append(True))
    assert not answer["ok"] and "outside the shared region" in answer["error"]
    assert took == [True]
