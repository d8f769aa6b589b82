"""supabase_reader / supabase_writer: PostgreSQL through the pooler-safe (supabase) code path."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from pandas.testing import assert_frame_equal

from flows.errors import NodeError
from nodes.databases.supabase_reader import SupabaseReader
from nodes.databases.supabase_writer import SupabaseWriter
from tests.nodes.databases.dbkit import Db, unique

TEMPLATES = pd.DataFrame(
    {
        "id": [1, 2, 3],
        "name": ["welcome", "renewal", "winback"],
        "content": ["{{name}}님 환영합니다", "갱신 안내", None],
        "usage_count": [12, 3, 40],
    }
)


async def _templates(db: Db) -> str:
    table = unique("message_templates")
    await db.execute(
        f'CREATE TABLE "{table}" (id INTEGER PRIMARY KEY, name TEXT NOT NULL, content TEXT, '
        "usage_count INTEGER NOT NULL)"
    )
    await SupabaseWriter("w", {"connection": "rw", "table": table}).arun(
        {"in": TEMPLATES}, db.ctx()
    )
    return table


async def test_writer_insert_then_reader_matches_pandas(supabase: Db) -> None:
    table = await _templates(supabase)
    assert_frame_equal(await supabase.read_sql(f'SELECT * FROM "{table}" ORDER BY id'), TEMPLATES)
    node = SupabaseReader(
        "r",
        {"connection": "ro", "table": table, "columns": ["name", "usage_count"],
         "where": "usage_count > @min", "order_by": "id", "limit": 5},
    )  # fmt: skip
    out = (await node.arun({}, supabase.ctx({"min": 10})))["out"]
    expected = TEMPLATES.loc[TEMPLATES["usage_count"] > 10, ["name", "usage_count"]]
    assert_frame_equal(out, expected.reset_index(drop=True))


async def test_writer_upsert(supabase: Db) -> None:
    table = await _templates(supabase)
    change = pd.DataFrame(
        {"id": [3, 4], "name": ["winback", "birthday"], "content": ["다시 만나요", "생일 축하"],
         "usage_count": [41, 0]}
    )  # fmt: skip
    summary = await SupabaseWriter(
        "w", {"connection": "rw", "table": table, "mode": "upsert", "key_columns": "id"}
    ).arun({"in": change}, supabase.ctx())
    assert summary["out"].loc[0, ["mode", "rows_written"]].tolist() == ["upsert", 2]
    expected = pd.concat([TEMPLATES, change]).drop_duplicates("id", keep="last")
    got = await supabase.read_sql(f'SELECT * FROM "{table}" ORDER BY id')
    assert_frame_equal(got, expected.reset_index(drop=True))


async def test_pooler_path_keeps_no_session_state(supabase: Db) -> None:
    """Behind a transaction pooler a session setting would leak to other clients."""
    _, spec = await supabase.conns.engine("ro")
    assert spec.uses_pooler
    table = await _templates(supabase)
    for _ in range(3):  # statements are not cached server-side: repeated runs keep working
        async with supabase.conns.session("ro") as conn:
            read_only = (await conn.execute(sa.text("SHOW transaction_read_only"))).scalar()
            default = (await conn.execute(sa.text("SHOW default_transaction_read_only"))).scalar()
            assert (read_only, default) == ("on", "off")
    with pytest.raises(NodeError, match="connection 'ro' is read-only: the database refused"):
        async with supabase.conns.session("ro") as conn:
            await conn.execute(sa.text(f'DELETE FROM "{table}"'))
    assert len(await supabase.read_sql(f'SELECT * FROM "{table}"')) == 3


async def test_writer_refuses_a_read_only_connection(supabase: Db) -> None:
    table = await _templates(supabase)
    with pytest.raises(NodeError, match="connection 'ro' is read_only: this node writes"):
        await SupabaseWriter("w", {"connection": "ro", "table": table}).arun(
            {"in": TEMPLATES}, supabase.ctx()
        )
