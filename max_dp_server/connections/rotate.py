"""Re-encrypt every stored connection secret after ``MAXDP_SECRET_KEY`` changed.

Stop the server, set the new key (``MAXDP_SECRET_KEY``, or the new ``DATA_DIR/secret_key``),
give the old one in ``MAXDP_OLD_SECRET_KEY`` (or a file with ``--old-key-file``), then run::

    python -m max_dp_server.connections.rotate

All rows change in one transaction: on any error nothing is rewritten. Secrets already readable
with the new key are rewritten too (harmless), so running it twice is safe.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from max_dp_server.connections.crypto import SecretBox, SecretsUnreadable
from max_dp_server.models import StoredConnection

__all__ = ["main", "rotate_secrets"]

OLD_KEY_ENV = "MAXDP_OLD_SECRET_KEY"


async def rotate_secrets(
    sessionmaker: async_sessionmaker[AsyncSession], new_key: str, old_keys: Sequence[str]
) -> int:
    """Re-encrypt every row's secrets with ``new_key``; the number of rows rewritten."""
    box = SecretBox(new_key, previous_keys=old_keys)
    count = 0
    async with sessionmaker.begin() as session:
        rows = await session.scalars(
            select(StoredConnection).where(StoredConnection.secrets.is_not(None))
        )
        for row in rows:
            assert row.secrets is not None
            try:
                row.secrets = box.rotate(row.secrets)
            except SecretsUnreadable:
                raise SecretsUnreadable(
                    f"connection {row.name!r} (id {row.id}): its secrets are readable with "
                    "neither the new nor the old key; nothing was changed"
                ) from None
            count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    from max_dp_server.config import Settings, ensure_secret_key
    from max_dp_server.db import create_engine, create_sessionmaker

    parser = argparse.ArgumentParser(prog="python -m max_dp_server.connections.rotate")
    parser.add_argument("--old-key-file", type=Path, help=f"the old key (else ${OLD_KEY_ENV})")
    args = parser.parse_args(argv)
    if args.old_key_file is not None:
        old = args.old_key_file.read_text(encoding="utf-8").strip()
    else:
        old = os.environ.get(OLD_KEY_ENV, "").strip()
    if not old:
        print(f"error: give the old key in ${OLD_KEY_ENV} or --old-key-file", file=sys.stderr)
        return 2
    settings = Settings()
    new = ensure_secret_key(settings)
    if new == old:
        message = "the old key is the current MAXDP_SECRET_KEY; set the new key first"
        print(f"error: {message}", file=sys.stderr)
        return 2

    async def run() -> int:
        engine = create_engine(settings)
        try:
            return await rotate_secrets(create_sessionmaker(engine), new, [old])
        finally:
            await engine.dispose()

    try:
        count = asyncio.run(run())
    except SecretsUnreadable as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(f"re-encrypted the secrets of {count} connection(s) with the current key")
    return 0


if __name__ == "__main__":
    sys.exit(main())
