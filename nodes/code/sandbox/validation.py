"""Full validation of a table a worker sent, with a fast path for ASCII text.

``Table.validate(full=True)`` checks every string value for UTF-8 on its own, which costs
more than copying the column (1.5 ms for 460k short values, against 0.3 ms here). When the
bytes a string column spans are all ASCII, every slice of them is valid UTF-8, so the column
is validated as *binary* (offsets in bounds and in order, null count, buffer sizes: everything
but the text) and its bytes checked to be below 0x80. Any other column, and text with a byte
above 0x7F, gets Arrow's full validation.

>>> import pyarrow as pa
>>> validate(pa.table({"s": ["a", "bc", None]}))
>>> bad = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(b"\\0\\0\\0\\0\\2\\0\\0\\0"),
...                                               pa.py_buffer(b"\\xff\\xfe")])
>>> validate(pa.table({"s": bad}))
Traceback (most recent call last):
...
pyarrow.lib.ArrowInvalid: Invalid UTF8 sequence at string index 0
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

__all__ = ["validate"]

_AS_BINARY = {
    pa.string(): (pa.binary(), np.int32),
    pa.large_string(): (pa.large_binary(), np.int64),
}


def _ascii_strings(chunk: pa.Array) -> bool:
    """Validate ``chunk`` (a string array) as binary; True when its text is ASCII too."""
    binary, offset_type = _AS_BINARY[chunk.type]
    chunk.view(binary).validate(full=True)
    _, offsets_buffer, data_buffer = chunk.buffers()
    if data_buffer is None or len(chunk) == 0:
        return True
    # In bounds: the binary validation checked the offsets against both buffers.
    width = np.dtype(offset_type).itemsize
    offsets = np.frombuffer(
        offsets_buffer, dtype=offset_type, count=len(chunk) + 1, offset=chunk.offset * width
    )
    first, last = int(offsets[0]), int(offsets[-1])
    text = np.frombuffer(data_buffer, dtype=np.uint8)[first:last]
    return text.size == 0 or int(text.max()) < 0x80


def validate(table: pa.Table) -> None:
    """Raise ``pa.ArrowInvalid`` (or another Arrow error) unless every column of ``table`` is
    valid, down to the UTF-8 of its text."""
    table.validate()
    chunks = [chunk for column in table.columns for chunk in column.chunks]
    # Text first: its long checks run in Arrow without the GIL, while another thread may be
    # decoding the table (see ``protocol.decode_table``); the other checks are short.
    chunks.sort(key=lambda chunk: chunk.type not in _AS_BINARY)
    for chunk in chunks:
        if chunk.type in _AS_BINARY and _ascii_strings(chunk):
            continue
        chunk.validate(full=True)
