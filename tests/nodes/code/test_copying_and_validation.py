"""The two-thread copies of the region's traffic, and the validation of a worker's tables: the
fast path for ASCII text must refuse exactly what Arrow's full validation refuses."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pytest

from nodes.code.sandbox import copying, validation


@pytest.fixture(scope="module")
def helper() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(1) as pool:
        yield pool


@pytest.mark.parametrize("sizes", [[1], [7, 1, 9], [5 << 20], [3 << 20, 1, (2 << 20) + 3]])
def test_copies_on_two_threads_give_every_byte_once(helper, sizes):
    rng = np.random.default_rng(1)
    sources = [rng.integers(0, 256, size, dtype=np.uint8) for size in sizes]
    targets = [np.zeros(size, dtype=np.uint8) for size in sizes]
    copying.copy(list(zip(targets, sources, strict=True)), helper, min_bytes=1)
    for target, source in zip(targets, sources, strict=True):
        assert np.array_equal(target, source)


def test_halves_split_the_bytes_evenly_and_keep_their_order():
    pairs = [(np.arange(n, dtype=np.uint8), np.arange(n, dtype=np.uint8)) for n in (5, 10, 4)]
    first, second = copying.halves(pairs)
    assert sum(t.nbytes for t, _ in first) == 9 and sum(t.nbytes for t, _ in second) == 10
    joined = np.concatenate([t for t, _ in first + second])
    assert np.array_equal(joined, np.concatenate([t for t, _ in pairs]))


def test_a_copy_between_different_sizes_is_refused(helper):
    with pytest.raises(ValueError, match="differ in size"):
        copying.copy([(np.zeros(4, np.uint8), np.zeros(5, np.uint8))], helper)


# -- validation --------------------------------------------------------------------------------


FORGE: list[tuple[np.ndarray, list[int]]] = []


def strings(offsets: list[int], data: bytes, *, large: bool, nulls: bytes | None = None):
    """A string array over raw buffers, as a subverted worker could send it: built with
    harmless offsets (Arrow checks those when it builds arrays and tables), which ``forge``
    then turns into ``offsets`` in place."""
    kind, width = (pa.large_string(), "<i8") if large else (pa.string(), "<i4")
    validity = None if nulls is None else pa.py_buffer(nulls)
    raw = np.zeros(len(offsets), dtype=width)
    FORGE.append((raw, offsets))
    return pa.Array.from_buffers(
        kind, len(offsets) - 1, [validity, pa.py_buffer(raw), pa.py_buffer(data)]
    )


def forge() -> None:
    while FORGE:
        raw, offsets = FORGE.pop()
        raw[:] = offsets


CASES = {
    "ascii": lambda large: strings([0, 2, 2, 5], b"KRabc", large=large),
    "unicode": lambda large: strings([0, 6, 8], "서울é".encode(), large=large),
    "nulls_with_any_bytes": lambda large: strings([0, 2, 2], b"ab", large=large, nulls=b"\x01"),
    "empty": lambda large: strings([0], b"", large=large),
    "sliced": lambda large: strings([0, 2, 4, 6], b"aabbcc", large=large).slice(1, 2),
    "decreasing_offsets": lambda large: strings([0, 4, 2], b"abcd", large=large),
    "offset_past_the_data": lambda large: strings([0, 2, 9], b"abcd", large=large),
    "negative_first_offset": lambda large: strings([-1, 2], b"abcd", large=large),
    "invalid_utf8": lambda large: strings([0, 2], b"\xff\xfe", large=large),
    "a_character_split_between_values": lambda large: strings(
        [0, 1, 3], "é".encode() + b"a", large=large
    ),
    "truncated_character_at_the_end": lambda large: strings([0, 1], "é".encode()[:1], large=large),
    "ascii_then_a_stray_continuation_byte": lambda large: strings([0, 3], b"ab\x80", large=large),
}


def _verdict(check, table: pa.Table) -> bool:
    try:
        check(table)
    except (pa.ArrowInvalid, pa.ArrowException):
        return False
    return True


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("name", list(CASES))
def test_validation_refuses_what_arrows_full_validation_refuses(name, large):
    column = CASES[name](large)
    table = pa.table({"s": column, "n": pa.array(range(len(column)), pa.int64())})
    forge()
    expected = _verdict(lambda t: t.validate(full=True), table)
    assert _verdict(validation.validate, table) is expected
    # The corpus has both verdicts: a fast path that accepts everything would fail here.
    assert expected is (name in {"ascii", "unicode", "nulls_with_any_bytes", "empty", "sliced"})


def test_validation_checks_every_chunk_of_a_column():
    good = strings([0, 1], b"a", large=True)
    bad = strings([0, 2, 1], b"ab", large=True)
    table = pa.table({"s": pa.chunked_array([good, bad])})
    forge()
    with pytest.raises(pa.ArrowInvalid):
        validation.validate(table)


def test_validation_agrees_with_arrow_on_random_forgeries():
    # Random offsets (mostly in order, sometimes not) over random bytes, mostly ASCII with
    # some pieces of UTF-8 sequences: the two verdicts must match on every one.
    rng = np.random.default_rng(11)
    alphabet = np.frombuffer(b"abcXYZ09 \xc3\xa9\x80\xff\xe2\x82\xac", dtype=np.uint8)
    verdicts = set()
    for _ in range(400):
        size = int(rng.integers(0, 12))
        ascii_only = rng.random() < 0.5
        choices = alphabet[:9] if ascii_only else alphabet
        data = rng.choice(choices, size).tobytes()
        count = int(rng.integers(1, 6))
        offsets = np.sort(rng.integers(0, size + 1, count + 1))
        if rng.random() < 0.2:
            offsets = rng.integers(-2, size + 3, count + 1)
        column = strings(offsets.tolist(), data, large=bool(rng.random() < 0.5))
        table = pa.table({"s": column})
        forge()
        expected = _verdict(lambda t: t.validate(full=True), table)
        assert _verdict(validation.validate, table) is expected, (offsets, data)
        verdicts.add(expected)
    assert verdicts == {True, False}
