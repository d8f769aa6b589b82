"""SQL injection through every parameter of the database nodes, on a seeded customers /
subscriptions / payments schema with a sentinel table: the data comes back unchanged and
nothing else runs. Also: an unreachable database names the connection, never its secret."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import MaxDPError, NodeError
from nodes.base import NodeContext
from nodes.connections import Connections, ConnectionSpec
from nodes.databases.custom_sql import CustomSql
from nodes.databases.table_reader import TableReader
from nodes.databases.table_writer import TableWriter
from nodes.messaging.mapped_table_search import MappedTableSearch
from tests.nodes.databases.dbkit import Db, unique

SEED = (
    "CREATE TABLE {customers} (id INTEGER PRIMARY KEY, name VARCHAR(60) NOT NULL, "
    "email VARCHAR(80), city VARCHAR(40))",
    "CREATE TABLE {subscriptions} (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL "
    "REFERENCES {customers} (id), plan VARCHAR(20) NOT NULL, started DATE)",
    "CREATE TABLE {payments} (id INTEGER PRIMARY KEY, subscription_id INTEGER NOT NULL "
    "REFERENCES {subscriptions} (id), amount NUMERIC(10, 2) NOT NULL)",
    "CREATE TABLE {sentinel} (id INTEGER PRIMARY KEY, note VARCHAR(20))",
    "INSERT INTO {customers} VALUES (1, 'Kim Min', 'kim@example.com', 'Seoul'), "
    "(2, 'O''Brien', NULL, 'Dublin'), (3, 'Zoë 고객', 'z@example.com', NULL)",
    "INSERT INTO {subscriptions} VALUES (10, 1, 'pro', '2024-01-01'), (11, 2, 'free', NULL)",
    "INSERT INTO {payments} VALUES (100, 10, 9.99), (101, 10, 19.50)",
    "INSERT INTO {sentinel} VALUES (1, 'untouched')",
)
TABLES = ("customers", "subscriptions", "payments", "sentinel")
HOSTILE = (
    "x'; DROP TABLE {sentinel}; --",
    'x"; DROP TABLE "{sentinel}"; --',
    "x`; DROP TABLE `{sentinel}`; --",
    "' OR '1'='1",
    "1) OR (1=1",
    "\\'; DELETE FROM {sentinel}; -- ",
)


@dataclass
class Shop:
    names: dict[str, str]  # logical name -> this test's table
    before: dict[str, pd.DataFrame]  # each table as read with pandas before the attack
    hostile: list[str]

    def __getattr__(self, name: str) -> str:
        return self.names[name]


@pytest.fixture
async def shop(db: Db) -> Shop:
    """The seeded schema (tables named per test: the database lives for the session)."""
    names = {t: unique(t) for t in TABLES}
    await db.execute(*(statement.format(**names) for statement in SEED))
    before = {t: await db.read_sql(f"SELECT * FROM {n} ORDER BY id") for t, n in names.items()}
    return Shop(names, before, [h.format(**names) for h in HOSTILE])


async def _unchanged(db: Db, shop: Shop, *tables: str) -> None:
    for table in tables or TABLES:
        current = await db.read_sql(f"SELECT * FROM {shop.names[table]} ORDER BY id")
        assert_frame_equal(current, shop.before[table])


async def _refused(node: object, db: Db, params: dict | None = None, inputs: dict | None = None):
    with pytest.raises(MaxDPError):
        await node.arun(inputs or {}, db.ctx(params))  # type: ignore[attr-defined]


async def test_table_reader_every_parameter(db: Db, shop: Shop) -> None:
    for text in shop.hostile:
        for config in (
            {"table": text},
            {"table": shop.customers, "schema": text},
            {"table": shop.customers, "columns": [text]},
            {"table": shop.customers, "order_by": text},
            {"table": shop.customers, "where": f"name == {text}"},
        ):
            try:
                node = TableReader("r", {"connection": "rw", **config})
            except MaxDPError:
                continue  # refused at config time: nothing ran
            await _refused(node, db)
        node = TableReader(
            "r", {"connection": "rw", "table": shop.customers, "where": "name == @n"}
        )
        assert len((await node.arun({}, db.ctx({"n": text})))["out"]) == 0
    node = TableReader("r", {"connection": "rw", "table": shop.customers, "where": "name == @n"})
    assert (await node.arun({}, db.ctx({"n": "O'Brien"})))["out"]["id"].tolist() == [2]
    await _unchanged(db, shop)


async def test_custom_sql_parameters(db: Db, shop: Shop) -> None:
    sql = f"SELECT id FROM {shop.customers} WHERE name = :name OR city IN :cities ORDER BY id"
    node = CustomSql("q", {"connection": "rw", "sql": sql})
    for text in shop.hostile:
        out = (await node.arun({}, db.ctx({"name": text, "cities": [text, text]})))["out"]
        assert len(out) == 0
    out = (await node.arun({}, db.ctx({"name": "O'Brien", "cities": ["Seoul"]})))["out"]
    assert out["id"].tolist() == [1, 2]
    await _unchanged(db, shop)


async def test_table_writer_every_parameter(db: Db, shop: Shop) -> None:
    frame = pd.DataFrame({"id": [1], "note": ["x"]})
    for text in shop.hostile:
        for config, data in (
            ({"table": f"{shop.sentinel}{text}"}, frame),
            ({"table": shop.sentinel, "schema": text}, frame),
            ({"table": shop.sentinel}, frame.rename(columns={"note": text})),
            ({"table": shop.sentinel, "mode": "upsert", "key_columns": [text]}, frame),
        ):
            node = TableWriter("w", {"connection": "rw", **config})
            await _refused(node, db, inputs={"in": data})
    await _unchanged(db, shop)
    # Hostile values are data: written and read back verbatim.
    notes = [t[:20] for t in shop.hostile]
    values = pd.DataFrame({"id": range(2, 2 + len(notes)), "note": notes})
    await TableWriter("w", {"connection": "rw", "table": shop.sentinel}).arun(
        {"in": values}, db.ctx()
    )
    await TableWriter(
        "w", {"connection": "rw", "table": shop.sentinel, "mode": "upsert", "key_columns": "id"}
    ).arun({"in": values}, db.ctx())
    expected = pd.concat([shop.before["sentinel"], values], ignore_index=True)
    current = await db.read_sql(f"SELECT * FROM {shop.sentinel} ORDER BY id")
    assert_frame_equal(current, expected)
    await _unchanged(db, shop, "customers", "subscriptions", "payments")


async def test_mapped_table_search_term_and_mapping(db: Db, shop: Shop) -> None:
    fields = {
        "id": {"type": "number", "filterable": True},
        "name": {"filterable": True},
        "email": {"filterable": True},
    }
    for text in shop.hostile:
        node = MappedTableSearch(
            "s", {"connection": "rw", "mapping": {"table": shop.customers, "fields": fields},
                  "term": "@term"}
        )  # fmt: skip
        assert len((await node.arun({}, db.ctx({"term": text})))["out"]) == 0
        for mapping in (
            {"table": text, "fields": fields},
            {"table": shop.customers, "fields": {text: {}}},
            {"table": shop.customers, "schema": text, "fields": fields},
        ):
            try:
                node = MappedTableSearch("s", {"connection": "rw", "mapping": mapping, "term": "k"})
            except MaxDPError:
                continue
            await _refused(node, db)
    node = MappedTableSearch(
        "s", {"connection": "rw", "mapping": {"table": shop.customers, "fields": fields},
              "term": "o'b"}
    )  # fmt: skip
    assert (await node.arun({}, db.ctx()))["out"]["id"].tolist() == [2]
    await _unchanged(db, shop)


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
async def test_unreachable_database_is_a_node_error_naming_the_connection(kind: str) -> None:
    conns = Connections(
        [ConnectionSpec(name="crm", kind=kind, host="127.0.0.1", port=1, user="app",
                        password="s3cret-pw", database="crm",
                        options={"connect_timeout_s": 2})]
    )  # fmt: skip
    ctx = NodeContext(services={"connections": conns})
    nodes = [
        (TableReader("r", {"connection": "crm", "table": "customers"}), {}),
        (CustomSql("q", {"connection": "crm", "sql": "SELECT 1"}), {}),
        (TableWriter("w", {"connection": "crm", "table": "t"}), {"in": pd.DataFrame({"a": [1]})}),
    ]
    try:
        for node, inputs in nodes:
            with pytest.raises(NodeError) as info:
                await node.arun(inputs, ctx)
            message = info.value.message
            assert message.startswith("connection 'crm': cannot connect to the database"), message
            assert "s3cret" not in message and "s3cret" not in repr(info.value)
    finally:
        await conns.close()
