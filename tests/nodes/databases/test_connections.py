"""Connection specs, the YAML file, the engine cache, sessions and account introspection."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa

from flows.errors import ConfigError, NodeError
from nodes.base import NodeContext
from nodes.connections import (
    Connections,
    ConnectionSpec,
    connections_from,
    load_connections_file,
    parse_connections,
)
from tests.nodes.databases.dbkit import Db, unique

# -- specs ----------------------------------------------------------------------------------


def test_spec_from_fields_builds_the_async_url() -> None:
    spec = ConnectionSpec(
        name="crm", kind="mysql", host="db.internal", port=3307, user="reader",
        password="p@ss:w/rd", database="crm",
    )  # fmt: skip
    url = spec.sqlalchemy_url()
    assert url.drivername == "mysql+aiomysql"
    assert (url.host, url.port, url.username, url.database) == (
        "db.internal",
        3307,
        "reader",
        "crm",
    )
    assert url.password == "p@ss:w/rd"
    assert url.query["charset"] == "utf8mb4"


@pytest.mark.parametrize(
    ("kind", "url", "driver"),
    [
        ("postgresql", "postgres://u:p@h/db", "postgresql+asyncpg"),
        ("postgresql", "postgresql+psycopg://u:p@h/db", "postgresql+asyncpg"),
        ("supabase", "postgresql://u:p@pooler.supabase.com:6543/postgres", "postgresql+asyncpg"),
        ("mysql", "mariadb://u:p@h/db", "mysql+aiomysql"),
        ("sqlite", "sqlite:///data.db", "sqlite+aiosqlite"),
    ],
)
def test_spec_url_driver_is_replaced(kind: str, url: str, driver: str) -> None:
    assert ConnectionSpec(name="c", kind=kind, url=url).sqlalchemy_url().drivername == driver


def test_password_field_completes_a_dsn() -> None:
    spec = ConnectionSpec(
        name="w", kind="postgresql", url="postgresql://etl@db/warehouse", password="p:w@d"
    )
    assert spec.sqlalchemy_url().password == "p:w@d"


def test_supabase_spec_disables_statement_caches_for_the_pooler() -> None:
    spec = ConnectionSpec(name="sb", kind="supabase", url="postgresql://u:p@h:6543/postgres")
    assert spec.sqlalchemy_url().query["prepared_statement_cache_size"] == "0"
    args = spec.engine_kwargs()["connect_args"]
    assert args["statement_cache_size"] == 0
    assert args["prepared_statement_name_func"]() != args["prepared_statement_name_func"]()
    direct = ConnectionSpec(
        name="sb",
        kind="supabase",
        url="postgresql://u:p@h:5432/postgres",
        options={"pooler": False},
    )
    assert "prepared_statement_cache_size" not in direct.sqlalchemy_url().query


def test_sslmode_in_a_dsn_becomes_the_asyncpg_ssl_argument() -> None:
    spec = ConnectionSpec(name="c", kind="postgresql", url="postgresql://u:p@h/db?sslmode=require")
    assert "sslmode" not in spec.sqlalchemy_url().query
    assert spec.engine_kwargs()["connect_args"]["ssl"] == "require"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"kind": "postgresql"}, "give either url, or host"),
        ({"kind": "mysql", "url": "postgresql://h/db"}, "a mysql url starts with"),
        ({"kind": "mysql", "host": "h", "options": {"pool_sise": 3}}, "unknown option 'pool_sise'"),
        ({"kind": "mysql", "host": "h", "options": {"pool_size": "3"}}, "'pool_size' has the"),
        ({"kind": "http"}, "an http connection needs url"),
        ({"kind": "mysql", "host": "h", "headers": {"a": "b"}}, "headers are for http connections"),
        ({"kind": "postgresql", "host": "h", "name": "bad name!"}, "connection name 'bad name!'"),
    ],
)  # fmt: skip
def test_spec_errors_name_the_problem(body: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ConnectionSpec.model_validate({"name": "c", **body})


def test_secrets_stay_out_of_repr_and_dumps() -> None:
    spec = ConnectionSpec(
        name="c", kind="postgresql", url="postgresql://u:hunter2@h/db", password="hunter3"
    )
    assert "hunter" not in repr(spec)
    assert "hunter" not in str(spec.model_dump())
    assert "hunter" not in spec.model_dump_json()


# -- the YAML file --------------------------------------------------------------------------


def test_connections_file_with_env_substitution(tmp_path: Path) -> None:
    path = tmp_path / "connections.yaml"
    path.write_text(
        "connections:\n"
        "  crm:\n"
        "    kind: mysql\n"
        "    host: db\n"
        "    user: reader\n"
        "    password: ${CRM_PASSWORD}\n"
        "    read_only: true\n"
        "    statement_timeout_s: 5\n"
        "  api:\n"
        "    kind: http\n"
        "    url: https://api.example.com/v1/\n"
        "    headers: {Authorization: 'Bearer ${TOKEN}$$'}\n",
        encoding="utf-8",
    )
    store = load_connections_file(path, env={"CRM_PASSWORD": "pw: with # odd chars", "TOKEN": "t"})
    crm = asyncio.run(store.get("crm"))
    assert crm.password is not None and crm.password.get_secret_value() == "pw: with # odd chars"
    assert (crm.read_only, crm.statement_timeout_s) == (True, 5)
    api = asyncio.run(store.get("api"))
    assert api.headers["Authorization"].get_secret_value() == "Bearer t$"
    assert store.names() == ["api", "crm"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("connections:\n  crm: {kind: mysql, url: '${MISSING}'}\n", "variable MISSING is not set"),
        ("connections: [1, 2]\n", "expected a mapping 'connections:"),
        ("conections: {}\n", "expected a mapping 'connections:"),
        ("connections:\n  crm: {kind: oracle, host: h}\n", "connection 'crm': kind:"),
        ("connections:\n  crm: {kind: mysql, host: h, name: other}\n", "'name' differs from"),
        ("connections: {a: [\n", "not valid YAML at line"),
    ],
)  # fmt: skip
def test_connections_file_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_connections_file(path, env={})


def test_connections_file_error_never_echoes_a_secret() -> None:
    document = {"connections": {"c": {"kind": "mysql", "url": "mysql://u:sekret@h/db", "port": -1}}}
    with pytest.raises(ConfigError) as info:
        parse_connections(document, env={})
    assert "sekret" not in info.value.message and "port" in info.value.message


def test_a_mapping_of_specs_is_a_store() -> None:
    spec = ConnectionSpec(name="a", kind="sqlite", database=":memory:")
    assert asyncio.run(Connections({"a": spec}).spec("a")) is spec
    assert asyncio.run(Connections([spec]).spec("a")) is spec


def test_unknown_connection_and_missing_service() -> None:
    conns = Connections([ConnectionSpec(name="a", kind="sqlite", database=":memory:")])
    with pytest.raises(NodeError, match=r"connection 'b' not found \(configured: a\)"):
        asyncio.run(conns.engine("b"))
    with pytest.raises(NodeError, match=r"no connections are configured \(pass --connections"):
        connections_from(NodeContext())


# -- engines and sessions -------------------------------------------------------------------


class _MutableStore:
    def __init__(self, spec: ConnectionSpec) -> None:
        self.spec = spec

    async def get(self, name: str) -> ConnectionSpec:
        return self.spec


async def test_one_engine_per_connection_replaced_when_the_spec_changes(tmp_path: Path) -> None:
    store = _MutableStore(ConnectionSpec(name="f", kind="sqlite", database=str(tmp_path / "a.db")))
    conns = Connections(store)
    try:
        first, _ = await conns.engine("f")
        again, _ = await conns.engine("f")
        assert first is again
        both = await asyncio.gather(conns.engine("f"), conns.engine("f"))
        assert {id(e) for e, _ in both} == {id(first)}
        store.spec = store.spec.model_copy(update={"statement_timeout_s": 5})
        changed, spec = await conns.engine("f")
        assert changed is not first and spec.statement_timeout_s == 5
    finally:
        await conns.close()


async def test_sqlite_read_only_connection_refuses_writes(tmp_path: Path) -> None:
    path = str(tmp_path / "ro.db")
    conns = Connections(
        [
            ConnectionSpec(name="rw", kind="sqlite", database=path),
            ConnectionSpec(name="ro", kind="sqlite", database=path, read_only=True),
        ]
    )
    try:
        async with conns.session("rw", write=True) as conn:
            await conn.execute(sa.text("CREATE TABLE t (a INTEGER)"))
        with pytest.raises(NodeError, match="connection 'ro' is read-only: the database refused"):
            async with conns.session("ro") as conn:
                await conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        with pytest.raises(NodeError, match="connection 'ro' is read_only: this node writes"):
            async with conns.session("ro", write=True):
                pass
    finally:
        await conns.close()


async def test_unreachable_database_names_the_connection() -> None:
    conns = Connections(
        [ConnectionSpec(name="crm", kind="postgresql", host="127.0.0.1", port=1, user="u",
                        password="sekret", options={"connect_timeout_s": 2})]
    )  # fmt: skip
    try:
        with pytest.raises(NodeError) as info:
            async with conns.session("crm"):
                pass
        assert info.value.message.startswith("connection 'crm': cannot connect to the database")
        assert "sekret" not in info.value.message
    finally:
        await conns.close()


async def test_session_is_read_only_on_the_server(db: Db) -> None:
    table = unique()
    await db.execute(f"CREATE TABLE {db.q(table)} (a INTEGER)")
    for name in ("ro", "ro_account"):
        with pytest.raises(NodeError, match=f"connection '{name}' is read-only|{name}': "):
            async with db.conns.session(name) as conn:
                await conn.execute(sa.text(f"INSERT INTO {db.q(table)} VALUES (1)"))
    # A read session on a writable connection is read-only too.
    with pytest.raises(NodeError, match="connection 'rw' is read-only: the database refused"):
        async with db.conns.session("rw") as conn:
            await conn.execute(sa.text(f"INSERT INTO {db.q(table)} VALUES (1)"))
    assert len(await db.read_sql(f"SELECT * FROM {db.q(table)}")) == 0


async def test_postgres_session_setting_cannot_be_turned_off_for_later_runs(pg: Db) -> None:
    table = unique()
    await pg.execute(f'CREATE TABLE "{table}" (a INTEGER)')
    async with pg.conns.session("ro") as conn:
        await conn.execute(
            sa.text("SELECT set_config('default_transaction_read_only', 'off', false)")
        )
    with pytest.raises(NodeError, match="read-only"):
        async with pg.conns.session("ro") as conn:
            await conn.execute(sa.text(f'INSERT INTO "{table}" VALUES (1)'))


async def test_statement_timeout_is_enforced(db: Db) -> None:
    sleep = "SELECT pg_sleep(5)" if db.dialect == "postgresql" else "SELECT SLEEP(5)"
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(NodeError, match=r"connection 'ro': statement timed out after 0.3s"):
        async with db.conns.session("ro", timeout_s=0.3) as conn:
            await conn.execute(sa.text(sleep))
    assert loop.time() - started < 4


# -- introspection for the server's endpoints -----------------------------------------------


async def test_describe_account(db: Db) -> None:
    writer = await db.conns.describe_account("rw")
    assert writer.can_write is True and writer.write_privileges and not writer.warnings
    assert writer.server_version[:2].isdigit()
    guarded = await db.conns.describe_account("ro")
    assert guarded.read_only and guarded.can_write is True
    assert "only an account limited to SELECT guarantees it" in guarded.warnings[0]
    reader = await db.conns.describe_account("ro_account")
    assert reader.can_write is False and reader.write_privileges == [] and reader.warnings == []


async def test_list_tables_and_columns(db: Db) -> None:
    table = unique("list")
    await db.execute(
        f"CREATE TABLE {db.q(table)} (id INTEGER PRIMARY KEY, "
        f"{db.q('고객 이름')} VARCHAR(40) NOT NULL, note TEXT)",
        f"CREATE VIEW {db.q(table + '_v')} AS SELECT id FROM {db.q(table)}",
    )
    tables = {t.name: t.kind for t in await db.conns.list_tables("ro_account")}
    assert tables[table] == "table" and tables[table + "_v"] == "view"
    columns = await db.conns.list_columns("ro_account", table)
    assert [(c.name, c.primary_key, c.nullable) for c in columns] == [
        ("id", True, False),
        ("고객 이름", False, False),
        ("note", False, True),
    ]
    assert "VARCHAR" in columns[1].type.upper()
    with pytest.raises(NodeError, match=r"table: 'nope' not found on connection 'ro_account'"):
        await db.conns.list_columns("ro_account", "nope")
