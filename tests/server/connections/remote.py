"""Real MariaDB and PostgreSQL databases that server tests save as connections.

Each test session creates, per server, a uniquely named database holding a seeded ``customers``
table, an account that may write it and a SELECT-only account, both with passwords (so tests
can show the passwords never leave the server), and drops them all at the end. The servers come
from ``MAXDP_TEST_MYSQL_URL`` / ``MAXDP_TEST_POSTGRES_URL`` (admin accounts), with the same
skip/fail rule as the other database tests (``MAXDP_REQUIRE_DB_TESTS=1`` fails when missing).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import asyncpg
import pandas as pd
import pymysql
import pytest
from sqlalchemy.engine import make_url

MYSQL_ENV = "MAXDP_TEST_MYSQL_URL"
POSTGRES_ENV = "MAXDP_TEST_POSTGRES_URL"
REQUIRE_ENV = "MAXDP_REQUIRE_DB_TESTS"
_NAME = re.compile(r"^maxdp_srv(db|rw|ro)_[0-9a-f]{10}$")

# The PRD's customers, with the characters that break naive SQL and LIKE patterns.
CUSTOMER_ROWS: list[tuple[Any, ...]] = [
    (1, "김민지", "010-1234-5678", "minji@example.kr", "pro"),
    (2, "Kim Min", "010-2222-3333", "kim@example.com", "free"),
    (3, "O'Brien", None, "ob@example.ie", "pro"),
    (4, "100% Kim_ju", "010-9999-0000", None, "team"),
    (5, "이서연", "010-5555-6666", "sy@example.kr", "free"),
]
CUSTOMERS = pd.DataFrame(CUSTOMER_ROWS, columns=["customer_id", "name", "phone", "email", "plan"])


@dataclass(frozen=True)
class RemoteDb:
    dialect: str  # mysql | postgresql
    host: str
    port: int
    database: str
    rw_user: str
    rw_password: str
    ro_user: str
    ro_password: str

    @property
    def kind(self) -> str:
        return self.dialect

    def body(self, name: str, *, account: str = "ro", read_only: bool = True) -> dict[str, Any]:
        """A POST /connections body for one of the two accounts."""
        user, password = (
            (self.ro_user, self.ro_password)
            if account == "ro"
            else (self.rw_user, self.rw_password)
        )
        return {
            "name": name,
            "kind": self.kind,
            "host": self.host,
            "port": self.port,
            "user": user,
            "password": password,
            "database": self.database,
            "read_only": read_only,
            "statement_timeout_s": 10,
        }

    @property
    def passwords(self) -> tuple[str, str]:
        return self.rw_password, self.ro_password


def _unavailable(what: str, reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{what} is required ({REQUIRE_ENV}=1) but {reason}", pytrace=False)
    pytest.skip(f"{what} tests skipped: {reason}")


def _names() -> tuple[str, str, str]:
    token = secrets.token_hex(5)
    names = (f"maxdp_srvdb_{token}", f"maxdp_srvrw_{token}", f"maxdp_srvro_{token}")
    # These go into DDL, which takes no bind parameters: ours and checked, never user text.
    assert all(_NAME.match(n) for n in names)
    return names


def _password() -> str:
    # URL-hostile characters on purpose; hex only, so it is safe inside a quoted DDL literal.
    return f"p@ss:w/rd-{secrets.token_hex(8)}"


# -- MariaDB / MySQL ------------------------------------------------------------------------
def _my(url: Any, statements: list[str], database: str | None = None) -> None:
    conn = pymysql.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        database=database,
        connect_timeout=10,
        charset="utf8mb4",
    )
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
        conn.commit()
    finally:
        conn.close()


def _seed_mysql(url: Any, db: str) -> None:
    conn = pymysql.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        database=db,
        charset="utf8mb4",
    )
    try:
        with conn.cursor() as cur:
            cur.execute(
                "CREATE TABLE customers (customer_id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, "
                "phone VARCHAR(20), email VARCHAR(255), plan VARCHAR(20), signup_date DATE)"
            )
            cur.executemany(
                "INSERT INTO customers (customer_id, name, phone, email, plan) "
                "VALUES (%s, %s, %s, %s, %s)",
                CUSTOMER_ROWS,
            )
        conn.commit()
    finally:
        conn.close()


def mysql_remote() -> Iterator[RemoteDb]:
    raw = os.environ.get(MYSQL_ENV)
    if not raw:
        _unavailable("MariaDB", f"{MYSQL_ENV} is not set")
    admin = make_url(raw)
    db, rw, ro = _names()
    rw_pw, ro_pw = _password(), _password()
    try:
        _my(
            admin,
            [
                f"CREATE DATABASE `{db}` CHARACTER SET utf8mb4",
                f"CREATE USER '{rw}'@'%' IDENTIFIED BY '{rw_pw}'",
                f"GRANT ALL PRIVILEGES ON `{db}`.* TO '{rw}'@'%'",
                f"CREATE USER '{ro}'@'%' IDENTIFIED BY '{ro_pw}'",
                f"GRANT SELECT ON `{db}`.* TO '{ro}'@'%'",
            ],
        )
    except pymysql.MySQLError as exc:
        _unavailable("MariaDB", f"the server is unreachable ({exc})")
    try:
        _seed_mysql(admin, db)
        yield RemoteDb(
            "mysql", admin.host or "127.0.0.1", admin.port or 3306, db, rw, rw_pw, ro, ro_pw
        )
    finally:
        _my(
            admin,
            [
                f"DROP DATABASE IF EXISTS `{db}`",
                f"DROP USER IF EXISTS '{rw}'@'%'",
                f"DROP USER IF EXISTS '{ro}'@'%'",
            ],
        )


# -- PostgreSQL -----------------------------------------------------------------------------
def _pg(dsn: str, statements: list[str], rows: list[tuple[Any, ...]] | None = None) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            for statement in statements:
                await conn.execute(statement)
            if rows:
                await conn.executemany(
                    "INSERT INTO customers (customer_id, name, phone, email, plan) "
                    "VALUES ($1, $2, $3, $4, $5)",
                    rows,
                )
        finally:
            await conn.close()

    # A thread of its own: a session fixture may first be asked for inside a running loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def postgres_remote() -> Iterator[RemoteDb]:
    raw = os.environ.get(POSTGRES_ENV)
    if not raw:
        _unavailable("PostgreSQL", f"{POSTGRES_ENV} is not set")
    admin = make_url(raw).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    db, rw, ro = _names()
    rw_pw, ro_pw = _password(), _password()
    try:
        _pg(
            dsn,
            [
                f'CREATE DATABASE "{db}"',
                f"CREATE ROLE \"{rw}\" LOGIN PASSWORD '{rw_pw}'",
                f"CREATE ROLE \"{ro}\" LOGIN PASSWORD '{ro_pw}'",
            ],
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        _unavailable("PostgreSQL", f"the server is unreachable ({exc})")
    try:
        _pg(
            admin.set(database=db).render_as_string(hide_password=False),
            [
                "CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, name VARCHAR(100) "
                "NOT NULL, phone VARCHAR(20), email VARCHAR(255), plan VARCHAR(20), "
                "signup_date DATE)",
                f'GRANT ALL ON customers TO "{rw}"',
                f'GRANT USAGE ON SCHEMA public TO "{ro}"',
                f'GRANT SELECT ON customers TO "{ro}"',
            ],
            CUSTOMER_ROWS,
        )
        yield RemoteDb(
            "postgresql", admin.host or "127.0.0.1", admin.port or 5432, db, rw, rw_pw, ro, ro_pw
        )
    finally:
        _pg(
            dsn,
            [
                f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)',
                f'DROP ROLE IF EXISTS "{rw}"',
                f'DROP ROLE IF EXISTS "{ro}"',
            ],
        )
