"""mapped_table_search on real PostgreSQL and MariaDB, compared with the same search in pandas."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import ConfigError, NodeError
from nodes.messaging.mapped_table_search import MappedTableSearch
from nodes.messaging.mappings import StaticTableMappings, TableMapping
from tests.nodes.databases.dbkit import Db, unique

CUSTOMERS = pd.DataFrame(
    {
        "customer_id": [1, 2, 3, 4, 5, 6, 7, 8],
        "name": [
            "Kim Min",
            "50% off Lee",
            "a_b Park",
            "O'Brien",
            "ab Choi",
            "KIMCHI",
            "Zed",
            "x\\y",
        ],
        "phone": ["010-1111", "010-2222", None, "010-50", "010-4444", "012", None, "1"],
        "city": ["Seoul", "Busan", "Seoul", "Dublin", "Seoul", "Jeju", "Seoul", "%"],
    }
)


def _mapping(table: str) -> dict:
    return {
        "table": table,
        "display_name": "고객 정보",
        "fields": {
            "customer_id": {"display_name": "고객ID", "type": "number", "filterable": True},
            "name": {"display_name": "고객명", "filterable": True},
            "phone": {"display_name": "휴대폰번호", "filterable": True},
            "city": {"display_name": "도시", "filterable": False},
        },
    }


async def _seed(db: Db) -> str:
    table = unique("customers")
    async with db.conns.session("rw", write=True) as conn:
        await conn.run_sync(lambda sync: CUSTOMERS.to_sql(table, sync, index=False))
    return table


def _pandas_search(term: str) -> pd.DataFrame:
    """The search a pandas user would write: literal, case-insensitive contains."""
    hit = pd.Series(False, index=CUSTOMERS.index)
    for col in ("name", "phone"):
        text = CUSTOMERS[col].str.lower()
        hit |= text.str.contains(term.lower(), regex=False).fillna(False).astype(bool)
    if term.strip().lstrip("-").isdigit():
        hit |= CUSTOMERS["customer_id"] == int(term)
    found = CUSTOMERS[hit].sort_values("customer_id")
    # The rows as a database returns them (nulls as None), made a frame as pandas.read_sql does.
    rows = [tuple(None if pd.isna(v) else v for v in r) for r in found.itertuples(index=False)]
    return pd.DataFrame.from_records(rows, columns=list(CUSTOMERS.columns), coerce_float=True)


async def _search(db: Db, table: str, params: dict | None = None, **config: object) -> pd.DataFrame:
    node = MappedTableSearch(
        "s", {"connection": "ro_account", "mapping": _mapping(table), **config}
    )
    return (await node.arun({}, db.ctx(params)))["out"]


@pytest.mark.parametrize(
    "term", ["kim", "%", "_", "50%", "a_b", "O'Brien", "\\", "010", "4", "nobody"]
)
async def test_search_matches_pandas(db: Db, term: str) -> None:
    table = await _seed(db)
    out = await _search(db, table, term=term)
    assert_frame_equal(out, _pandas_search(term))


async def test_injection_through_the_term_is_data(db: Db) -> None:
    table = await _seed(db)
    before = await db.read_sql(f"SELECT * FROM {db.q(table)} ORDER BY customer_id")
    for term in ("' OR '1'='1", "%' OR 1=1 --", "'); DROP TABLE x; --", "\\'; SELECT 1; --"):
        assert len(await _search(db, table, term=term)) == 0
    after = await db.read_sql(f"SELECT * FROM {db.q(table)} ORDER BY customer_id")
    assert_frame_equal(after, before)


async def test_paging_and_empty_term(db: Db) -> None:
    table = await _seed(db)
    everyone = CUSTOMERS.sort_values("customer_id").reset_index(drop=True)
    pages = [await _search(db, table, limit=3, offset=o) for o in (0, 3, 6, 9)]
    for offset, page in zip((0, 3, 6, 9), pages, strict=True):
        expected = everyone.iloc[offset : offset + 3].reset_index(drop=True)
        assert_frame_equal(page, expected, check_dtype=bool(len(page)))
    assert len(pages[-1]) == 0 and list(pages[-1].columns) == list(CUSTOMERS.columns)
    keys = [{"column": "city", "ascending": False}, "customer_id"]
    by_name = await _search(db, table, term="", limit=2, order_by=keys)
    assert by_name["customer_id"].tolist() == [1, 3]  # Seoul first, then by id


async def test_term_parameter_and_display_names(db: Db) -> None:
    table = await _seed(db)
    node = MappedTableSearch(
        "s",
        {"connection": "ro", "mapping": _mapping(table), "term": "@q", "use_display_names": True},
    )
    assert node.parameter_refs() == {"term": {"q"}}
    out = (await node.arun({}, db.ctx({"q": "SEOUL Kim"})))["out"]
    assert list(out.columns) == ["고객ID", "고객명", "휴대폰번호", "도시"] and len(out) == 0
    out = (await node.arun({}, db.ctx({"q": "kim"})))["out"]
    assert out["고객ID"].tolist() == [1, 6]
    with pytest.raises(NodeError, match="term: parameter @q has no value"):
        await node.arun({}, db.ctx({}))


async def test_saved_mapping_through_the_store(db: Db) -> None:
    table = await _seed(db)
    store = StaticTableMappings({"customers": TableMapping.model_validate(_mapping(table))})
    node = MappedTableSearch("s", {"connection": "ro", "mapping": "customers", "term": "park"})
    out = (await node.arun({}, db.ctx(table_mappings=store)))["out"]
    assert out["customer_id"].tolist() == [3]
    plain = {"customers": TableMapping.model_validate(_mapping(table))}
    assert (await node.arun({}, db.ctx(table_mappings=plain)))["out"]["customer_id"].tolist() == [3]
    missing = MappedTableSearch("s", {"connection": "ro", "mapping": "nope", "term": "x"})
    with pytest.raises(
        NodeError, match=r"mapping: table mapping 'nope' not found \(saved: customers\)"
    ):
        await missing.arun({}, db.ctx(table_mappings=store))
    with pytest.raises(NodeError, match="names a saved table mapping, but none are available"):
        await missing.arun({}, db.ctx())


async def test_mapping_errors(db: Db) -> None:
    table = await _seed(db)
    mapping = _mapping(table)
    for field in mapping["fields"].values():
        field["filterable"] = False
    node = MappedTableSearch("s", {"connection": "ro", "mapping": mapping, "term": "kim"})
    with pytest.raises(NodeError, match="mapping: no field is filterable"):
        await node.arun({}, db.ctx())
    with pytest.raises(ConfigError, match="mapping: fields 'a' and 'b' share the display name 'X'"):
        MappedTableSearch(
            "s",
            {"connection": "ro", "mapping": {"table": "t", "fields": {
                "a": {"display_name": "X"}, "b": {"display_name": "X"}}}},
        )  # fmt: skip
