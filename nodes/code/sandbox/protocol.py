"""Messages between the server and a worker: a small JSON header, then Arrow IPC tables.

A message is ``>I`` header length, the UTF-8 JSON header, then for each entry of
``header["tables"]`` a ``>Q`` length and an Arrow IPC stream, except for the tables whose entry
has ``"shm": [offset, length]``: their stream is in the worker's shared region (see ``shm``).
Nothing is pickled: a worker that has been subverted can send back bytes, never objects the
server would execute.

Tables keep their values as pandas would: column labels that Arrow cannot carry (numbers,
tuples, duplicates) travel in the header, and object columns Arrow cannot type (mixed
``1``/``"a"``, lists, dicts) travel as JSON text and are decoded back to Python objects.

>>> import pandas as pd
>>> df = pd.DataFrame({"a": [1, 2], 3: ["x", None], "m": [1, "b"]})
>>> meta, data = encode_table(df)
>>> back = decode_table(meta, data)
>>> list(back.columns), back["m"].tolist()
(['a', 3, 'm'], [1, 'b'])
"""

from __future__ import annotations

import datetime
import decimal
import json
import struct
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from nodes.code.sandbox import plainframe, validation
from nodes.code.sandbox.plainframe import TableError

__all__ = [
    "GO",
    "GO_BYTE",
    "REMOTE",
    "SHARED",
    "OutTable",
    "TableError",
    "decode_table",
    "dumps",
    "encode_table",
    "loads",
    "pack",
    "read_message",
    "write_parts",
]

HEAD = struct.Struct(">I")
# The key of a table's meta when the table is in the shared region: ``[offset, length]``.
SHARED = "shm"
# With ``SHARED``, in a result: ``[[position, address, length], ...]``, the stream's bytes the
# worker left in its own memory for the server to read (see ``remote``).
REMOTE = "remote"
# In a request: the server is still writing the region's values when it sends the header, and
# sends ``GO_BYTE`` once they are all there (see ``worker._decode_inputs``).
GO = "go"
GO_BYTE = b"\x01"
SIZE = struct.Struct(">Q")
MAX_HEADER = 16 * 1024 * 1024
_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)


# -- JSON with a few tagged types (flow parameters, column labels) ---------------------------


def _default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot send a {type(value).__name__}")


def _tag_tuples(value: Any) -> Any:
    if isinstance(value, tuple):
        return {"$tuple": [_tag_tuples(v) for v in value]}
    if isinstance(value, list):
        return [_tag_tuples(v) for v in value]
    if isinstance(value, dict):
        return {k: _tag_tuples(v) for k, v in value.items()}
    return value


def _hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        ((key, value),) = obj.items()
        if key == "$datetime":
            return datetime.datetime.fromisoformat(value)
        if key == "$date":
            return datetime.date.fromisoformat(value)
        if key == "$decimal":
            return decimal.Decimal(value)
        if key == "$tuple":
            return tuple(value)
    return obj


def dumps(value: Any) -> bytes:
    return json.dumps(_tag_tuples(value), default=_default, separators=(",", ":")).encode()


def loads(data: bytes | str) -> Any:
    return json.loads(data, object_hook=_hook)


# -- tables --------------------------------------------------------------------------------
# The labels, names and dtype of columns Arrow cannot name travel in ``meta`` as JSON.


def _plain_labels(columns: pd.Index) -> bool:
    return (
        not isinstance(columns, pd.MultiIndex)
        and columns.name is None
        and not columns.has_duplicates
        and all(type(c) is str for c in columns)
    )


def _is_null(value: Any) -> bool:
    # NaN is not null here: it travels as the JSON token NaN, so None and NaN both survive.
    return value is None or value is pd.NA


_JSON_SCALARS = (str, bool, int, float, list, dict, tuple)


def _json_column(series: pd.Series, name: Any) -> list[str | None]:
    out: list[str | None] = []
    for value in series.tolist():
        if _is_null(value):
            out.append(None)
            continue
        if not isinstance(value, _JSON_SCALARS):
            kinds = sorted({type(v).__name__ for v in series.tolist() if not _is_null(v)})
            raise TableError(f"column {name!r} mixes types that cannot be sent: {', '.join(kinds)}")
        try:
            out.append(json.dumps(value))
        except (TypeError, ValueError) as exc:
            raise TableError(f"column {name!r} holds a value that cannot be sent: {exc}") from None
    return out


def _needs_json(series: pd.Series) -> bool:
    """Object columns Arrow cannot type, would turn into arrays/structs (lists, dicts) or
    into the ``str`` dtype (strings, losing ``object`` and the None/NaN difference)."""
    try:
        kind = pa.array(series, from_pandas=True).type
    except _ARROW_ERRORS:
        return True
    return pa.types.is_nested(kind) or pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _to_arrow(df: pd.DataFrame) -> tuple[pa.Table, list[str]]:
    object_cols = [c for c in df.columns if df[c].dtype == object]
    json_cols = [c for c in object_cols if _needs_json(df[c])]
    if json_cols:
        df = df.copy(deep=False)
        for name in json_cols:
            df[name] = pd.Series(_json_column(df[name], name), index=df.index, dtype=object)
    try:
        return _from_pandas(df), json_cols
    except _ARROW_ERRORS as exc:
        raise TableError(f"table cannot be sent: {exc}") from None


# Below this many bytes of float columns the NaN scan costs less than building the table here.
_FLOAT_BYTES_WORTH_IT = 2 << 20


def _from_pandas(df: pd.DataFrame) -> pa.Table:
    """``pa.Table.from_pandas``, without its scan of numpy float columns for NaN.

    ``from_pandas`` turns each NaN into a null, which costs a pass over every float column (the
    largest part of encoding a numeric table) and changes nothing here: both come back as NaN
    in a numpy float column. So those columns cross as Arrow arrays viewing the numpy data,
    NaN included, with the pandas metadata ``from_pandas`` would have written for them.
    """
    floats = {
        i for i, dtype in enumerate(df.dtypes) if isinstance(dtype, np.dtype) and dtype.kind == "f"
    }
    float_bytes = sum(len(df) * df.dtypes.iloc[i].itemsize for i in floats)
    # One thread: the other columns convert without copying, a thread pool only costs here.
    if float_bytes < _FLOAT_BYTES_WORTH_IT:
        return pa.Table.from_pandas(df, preserve_index=None, nthreads=1)
    rest = [i for i in range(df.shape[1]) if i not in floats]
    table = pa.Table.from_pandas(df.iloc[:, rest], preserve_index=None, nthreads=1)
    meta = table.schema.pandas_metadata
    entries = meta["columns"]  # the data columns of ``rest``, then the index columns
    where = {position: j for j, position in enumerate(rest)}
    fields, arrays, columns = [], [], []
    for i, name in enumerate(df.columns):
        if i in where:
            j = where[i]
            fields.append(table.schema.field(j))
            arrays.append(table.column(j))
            columns.append(entries[j])
            continue
        values = df.iloc[:, i].to_numpy()
        array = pa.array(values, from_pandas=False)
        fields.append(pa.field(name, array.type))
        arrays.append(array)
        kind = str(values.dtype)
        columns.append(
            {
                "name": name,
                "field_name": name,
                "pandas_type": kind,
                "numpy_type": kind,
                "metadata": None,
            }
        )
    for j in range(len(rest), table.num_columns):  # the index, as from_pandas stored it
        fields.append(table.schema.field(j))
        arrays.append(table.column(j))
    meta["columns"] = columns + entries[len(rest) :]
    schema = pa.schema(fields, metadata={b"pandas": json.dumps(meta).encode()})
    return pa.Table.from_arrays(arrays, schema=schema)


class OutTable:
    """A table ready to send, ``size`` bytes of Arrow IPC stream. The stream is laid out once,
    as pieces that are the table's own buffers (no copy of a large table) and a few small
    headers; ``write_to`` hands them out again, to the pipe or into the region."""

    __slots__ = ("_pieces", "size", "table")

    def __init__(self, table: pa.Table) -> None:
        self.table: pa.Table | None = table
        pieces: list[memoryview] = []
        with pa.ipc.new_stream(pa.PythonFile(_Sink(pieces.append), mode="w"), table.schema) as out:
            out.write_table(table)
        self._pieces = pieces  # each holds what it views (an Arrow buffer, a bytes header)
        self.size = sum(piece.nbytes for piece in pieces)

    def write_to(self, write: Callable[[Any], Any]) -> None:
        for piece in self._pieces:
            write(piece)

    def to_bytes(self) -> bytes:
        return b"".join(self._pieces)

    def detach(self) -> None:
        """Copy the stream now and let go of the table's buffers (and of what they view)."""
        self._pieces, self.table = [memoryview(self.to_bytes())], None


class _Sink:
    """The minimal file object ``pa.PythonFile`` needs, forwarding to ``write``."""

    closed = False

    def __init__(self, write: Callable[[Any], Any]) -> None:
        self._write = write

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self._write(view)
        return view.nbytes

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def encode_table(df: pd.DataFrame) -> tuple[dict[str, Any], OutTable]:
    """``(meta, table to send)`` for a DataFrame."""
    meta: dict[str, Any] = {}
    if not _plain_labels(df.columns):
        columns = df.columns
        meta["labels"] = list(columns)
        meta["names"] = list(columns.names)
        meta["multi"] = isinstance(columns, pd.MultiIndex)
        meta["dtype"] = None if meta["multi"] else str(columns.dtype)
        df = df.set_axis([f"c{i}" for i in range(len(columns))], axis=1)
    plain = plainframe.encode(df)
    if plain is not None:
        meta["plain"], table = plain
        return meta, OutTable(table)
    table, json_cols = _to_arrow(df)
    meta["json"] = json_cols
    return meta, OutTable(table)


def _writable_base(buffer: pa.Buffer) -> np.ndarray | None:
    """The bytes of ``buffer`` as a writable numpy array, ``None`` when they are read-only.

    Everything decoded from ``buffer`` (this array's views, Arrow's slices) keeps ``buffer``
    alive, and ``buffer`` holds an export of the object it wraps: while any of it lives, that
    object (a ``memoryview`` of the region, in the worker) cannot be released (see
    ``shm.release_views``)."""
    return np.frombuffer(buffer, dtype=np.uint8) if buffer.is_mutable else None


def _to_pandas(table: pa.Table, base: np.ndarray | None) -> pd.DataFrame:
    """``table.to_pandas()``; when the table was read from ``base``, its null-free int and
    float columns become writable views of it instead of copies.

    ``to_pandas`` copies those columns into numpy memory of its own, or, with
    ``split_blocks``, hands out read-only views, on which pandas refuses ``df.loc[i, c] = v``.
    Views of ``base`` can be writable: it is memory the caller owns (see ``decode_table``).
    """
    if base is None:
        return table.to_pandas()
    df = table.to_pandas(split_blocks=True)
    views: dict[str, np.ndarray] = {}
    for field, column in zip(table.schema, table.columns, strict=True):
        if field.name not in df.columns:  # an index level
            continue
        kind = field.type
        if not (pa.types.is_integer(kind) or kind in (pa.float32(), pa.float64())):
            continue
        view = plainframe.fixed_width_view(column, np.dtype(kind.to_pandas_dtype()), base)
        if view is not None and df[field.name].dtype == view.dtype:
            views[field.name] = view
    if not views:
        return df
    columns = {name: views.get(name, df[name]) for name in df.columns}
    return pd.DataFrame(columns, index=df.index, columns=df.columns, copy=False)


def _frame(meta: dict[str, Any], table: pa.Table, base: np.ndarray | None) -> pd.DataFrame:
    if "plain" in meta:
        return plainframe.decode(meta["plain"], table, base)
    return _to_pandas(table, base)


def decode_table(
    meta: dict[str, Any],
    data: Any,
    *,
    validate: bool = False,
    table: pa.Table | None = None,
    helper: Executor | None = None,
) -> pd.DataFrame:
    """The DataFrame of ``encode_table``; ``validate`` checks every offset first (for bytes
    coming from a worker, which is not trusted). ``table``: the stream, already opened.

    With ``helper``, a plain table whose decoding needs only its layout (``plainframe.
    reads_values``) is decoded on the helper's thread while it is validated: Arrow's checks
    of the layout come first, and nothing is returned before the whole validation passed.

    When ``data`` is writable memory (a ``bytearray``, a writable ``memoryview`` or numpy byte
    array) the DataFrame is a view of it for every column it can be: the caller hands ``data``
    over and must not reuse it while the DataFrame lives.
    """
    if isinstance(data, OutTable):
        data = data.to_bytes()
    buffer = pa.py_buffer(data)
    if table is None:
        table = pa.ipc.open_stream(buffer).read_all()
    base = _writable_base(buffer)
    if validate and helper is not None and not plainframe.reads_values(meta.get("plain"), table):
        table.validate()  # sizes and lengths: what decoding the layout relies on
        # Decoding is Python and holds the GIL; validating is mostly Arrow, which lets it go:
        # the helper decodes while this thread validates.
        decoding = helper.submit(_frame, meta, table, base)
        try:
            validation.validate(table)
        finally:
            df = decoding.result()
    else:
        if validate:
            validation.validate(table)
        df = _frame(meta, table, base)
    for name in meta.get("json", []):
        values = [None if v is None else json.loads(v) for v in table.column(name).to_pylist()]
        df[name] = pd.Series(values, index=df.index, dtype=object)
    if "labels" in meta:
        labels, names = meta["labels"], meta["names"]
        if meta.get("multi"):
            df.columns = pd.MultiIndex.from_tuples([tuple(x) for x in labels], names=names)
        else:
            df.columns = pd.Index(labels, name=names[0], dtype=meta.get("dtype"))
    return df


# -- framing --------------------------------------------------------------------------------


def pack(header: dict[str, Any], tables: Sequence[OutTable | None] = ()) -> list[Any]:
    """The parts of one message, in order: bytes, or an ``OutTable`` to stream. ``None``
    stands for a table in the shared region: its meta in the header says where."""
    head = dumps(header)
    parts: list[Any] = [HEAD.pack(len(head)), head]
    for table in tables:
        if table is not None:
            parts += [SIZE.pack(table.size), table]
    return parts


def write_parts(parts: Sequence[Any], write: Callable[[Any], Any]) -> None:
    for part in parts:
        if isinstance(part, OutTable):
            part.write_to(write)
        else:
            write(part)


def read_message(
    read_exact: Callable[[int], Any], max_table_bytes: int | None = None
) -> tuple[dict[str, Any], list[Any]]:
    """Read one message with ``read_exact(n)``; the header lists how many tables follow."""
    (size,) = HEAD.unpack(bytes(read_exact(HEAD.size)))
    if size > MAX_HEADER:
        raise TableError(f"message header of {size} bytes is too large")
    header = loads(bytes(read_exact(size)))
    blobs: list[Any] = []
    for meta in header.get("tables", ()):
        if isinstance(meta, dict) and SHARED in meta:
            blobs.append(None)  # in the shared region, at meta[SHARED] (see ``shm``)
            continue
        (length,) = SIZE.unpack(bytes(read_exact(SIZE.size)))
        if max_table_bytes is not None and length > max_table_bytes:
            raise TableError(f"table of {length} bytes is larger than allowed")
        blobs.append(read_exact(length))
    return header, blobs
