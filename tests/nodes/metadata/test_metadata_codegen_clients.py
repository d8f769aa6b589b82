"""metadata_codegen's client code: TypeScript that type-checks with tsc, pydantic models that
validate rows, JSON Schema forms, and files written safely into the data directory."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pydantic
import pytest
from pandas.testing import assert_frame_equal

from flows.errors import NodeError
from tests.nodes.databases.dbkit import REQUIRE_ENV
from tests.nodes.metadata.codekit import TSC, artifact, generate, prepare
from tests.nodes.metadata.metakit import pg_script, read_sql


def _tsc() -> Path:
    if TSC.exists():
        return TSC
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(
            f"{TSC} is required ({REQUIRE_ENV}=1): run npm ci in max_dp_designer", pytrace=False
        )
    pytest.skip(f"TypeScript tests skipped: {TSC} not found (run npm ci in max_dp_designer)")


def _check(tsc: Path, folder: Path, *files: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(tsc), "--noEmit", "--strict", "--target", "es2020", "--module", "commonjs", *files],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


USAGE = """
import type { Order, OrderInput, User, UserProfile } from "./types";
const user: User = { id: "1", email: "a@b.c", fullName: "Kim", bio: null, isActive: true,
  birthDate: null, createdAt: "2024-01-01T00:00:00Z" };
const profile: UserProfile = { id: "2", userId: "1", avatarUrl: null, phone: null, user };
const order: Order = { id: "3", userId: "1", status: "paid", orderedAt: "2024-01-01", note: null,
  user, products: [] };
const input: OrderInput = { userId: "1" };
export const all = [user, profile, order, input];
"""


async def test_typescript_type_checks(env, tmp_path):
    tsc = _tsc()
    await prepare(env, odd=True)
    source = artifact(await generate(env, "typescript"), "typescript/types.ts")
    (tmp_path / "types.ts").write_text(source, encoding="utf-8")
    (tmp_path / "usage.ts").write_text(USAGE, encoding="utf-8")
    (tmp_path / "wrong.ts").write_text(
        USAGE.replace('status: "paid"', 'status: "lost"').replace("fullName", "name"),
        encoding="utf-8",
    )
    ok = _check(tsc, tmp_path, "types.ts", "usage.ts")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    wrong = _check(tsc, tmp_path, "types.ts", "wrong.ts")
    assert wrong.returncode != 0
    assert '"lost"' in wrong.stdout and "'name' does not exist in type 'User'" in wrong.stdout


def _import(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # pydantic resolves the module's annotations through it
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


async def test_pydantic_models_validate_rows(env, tmp_path):
    await prepare(env, odd=True)
    path = tmp_path / "models.py"
    path.write_text(artifact(await generate(env, "pydantic"), "pydantic/models.py"), "utf-8")
    models = _import(path, "generated_shop_models")
    s = f'"{env.shop}"'
    await pg_script(
        env.url,
        f"""
        INSERT INTO {s}.users (email, full_name) VALUES ('kim@example.com', '김');
        INSERT INTO {s}.products (sku, name, price, size) VALUES ('A-1', 'Mug', 9.50, 'M');""",
    )
    for table, model, key in (("users", models.User, "email"), ("products", models.Product, "sku")):
        frame = await read_sql(env.conns, "pg", f"SELECT * FROM {s}.{table}")
        row = {k: (None if pd.isna(v) else v) for k, v in frame.iloc[0].to_dict().items()}
        validated = model.model_validate(row)
        assert validated.model_dump(by_alias=True)[key] == row[key]
    user = models.User.model_validate(
        {"id": 1, "email": "a@b.c", "full_name": "A", "created_at": "2024-01-01T00:00:00Z"}
    )
    assert user.created_at.year == 2024 and user.is_active is None
    assert models.Product.model_validate({"sku": "x", "name": "y", "price": "1.5"}).price == (
        Decimal("1.5")
    )
    bad = [
        (models.User, {"email": "x" * 256, "full_name": "A"}, "email"),
        (models.User, {"full_name": "A"}, "email"),
        (models.Order, {"user_id": 1, "status": "lost"}, "status"),
        (models.Product, {"sku": "x", "name": "y", "price": -1}, "price"),
        (models.Product, {"sku": "x", "name": "y", "price": 1, "size": "XXL"}, "size"),
    ]
    for model, data, field in bad:
        with pytest.raises(pydantic.ValidationError) as info:
            model.model_validate(data)
        assert info.value.errors()[0]["loc"] == (field,)
    odd = getattr(models, "".join(f"U{ord(c):X}" for c in "주문메모"))
    row = odd.model_validate(
        {
            "select": 1,
            "이름": "x",
            "Order Total": 2,
            "class": "a",
            "model_config": "m",
            "e-mail": None,
        }
    )
    assert (row.select, row.uc774ub984, row.class_, row.model_config_) == (1, "x", "a", "m")


# -- JSON Schema: a structural check of the forms (jsonschema is not installed) -------------
_TYPES = {"string", "integer", "number", "boolean", "array", "object", "null"}
_FORMATS = {"date", "date-time", "time", "uuid", "email", "uri", "duration"}


def check_schema(schema: dict[str, Any]) -> None:
    """What JSON Schema 2020-12 requires of the keywords the forms use."""
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and isinstance(schema["additionalProperties"], bool)
    assert isinstance(schema["title"], str)
    props = schema["properties"]
    assert isinstance(props, dict)
    assert set(schema["required"]) <= set(props) and len(set(schema["required"])) == len(
        schema["required"]
    )
    for prop in props.values():
        check_value_schema(prop)


def check_value_schema(prop: dict[str, Any]) -> None:
    kinds = prop.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    assert set(kinds) <= _TYPES and len(set(kinds)) == len(kinds)
    for key in ("maxLength", "minLength"):
        if key in prop:
            assert isinstance(prop[key], int) and prop[key] >= 0
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if key in prop:
            assert isinstance(prop[key], int | float) and not isinstance(prop[key], bool)
    if "enum" in prop:
        assert isinstance(prop["enum"], list) and prop["enum"]
    if "format" in prop:
        assert prop["format"] in _FORMATS
    if "items" in prop:
        check_value_schema(prop["items"])
    for key in ("readOnly", "x-visible"):
        if key in prop:
            assert isinstance(prop[key], bool)


def errors(instance: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """A small validator for the keywords above: the messages of what does not hold."""
    out = [f"{k} is required" for k in schema["required"] if k not in instance]
    for key, value in instance.items():
        prop = schema["properties"].get(key)
        if prop is None:
            out.append(f"{key} is not allowed")
            continue
        kinds = prop.get("type", [])
        kinds = [kinds] if isinstance(kinds, str) else kinds
        actual = (
            "null"
            if value is None
            else "boolean"
            if isinstance(value, bool)
            else "integer"
            if isinstance(value, int)
            else "number"
            if isinstance(value, float)
            else "string"
            if isinstance(value, str)
            else "object"
        )
        if kinds and actual not in kinds and not (actual == "integer" and "number" in kinds):
            out.append(f"{key} is {actual}")
        if "enum" in prop and value not in prop["enum"]:
            out.append(f"{key} is not one of the values")
        if isinstance(value, str) and len(value) > prop.get("maxLength", len(value)):
            out.append(f"{key} is too long")
        if isinstance(value, int | float) and value < prop.get("minimum", value):
            out.append(f"{key} is too small")
    return out


async def test_json_schema_forms(env):
    await prepare(env)
    out = await generate(env, "json_schema")
    schemas = {
        Path(p).name.split(".")[1]: json.loads(c) for p, c in zip(out["path"], out["content"])
    }
    assert set(schemas) == {"order_items", "orders", "products", "user_profiles", "users"}
    for schema in schemas.values():
        check_schema(schema)
    users = schemas["users"]
    assert users["properties"]["email"] == {
        "title": "이메일 주소",
        "description": "이메일 주소",
        "type": "string",
        "maxLength": 255,
        "format": "email",
        "x-form-type": "email",
        "x-sort-order": 2,
    }
    assert users["properties"]["id"]["readOnly"] is True
    assert users["required"] == ["email", "full_name"]
    assert users["description"] == "People who can sign in and order"
    good = {"email": "a@b.c", "full_name": "Kim", "bio": None, "is_active": True}
    assert errors(good, users) == []
    assert errors({"full_name": 3, "nick": "x"}, users) == [
        "email is required",
        "full_name is integer",
        "nick is not allowed",
    ]
    orders, products = schemas["orders"], schemas["products"]
    assert orders["properties"]["status"]["enum"] == ["pending", "paid", "shipped", "cancelled"]
    assert errors({"user_id": 1, "status": "lost"}, orders) == ["status is not one of the values"]
    assert products["properties"]["price"]["minimum"] == 0
    assert errors({"sku": "a", "name": "b", "price": -1}, products) == ["price is too small"]
    assert products["properties"]["size"]["enum"] == ["S", "M", "L", "XL", None]


async def test_write_to_writes_every_file_atomically(env, tmp_path):
    await prepare(env)
    targets = ("ddl", "graphql", "typescript", "pydantic", "json_schema")
    out = await generate(env, *targets, write_to="gen/shop", data_dir=tmp_path)
    assert out["path"].str.startswith("gen/shop/").all()
    for path, content in zip(out["path"], out["content"]):
        assert (tmp_path / path).read_text(encoding="utf-8") == content
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(out["path"])  # and no temporary file left behind
    again = await generate(env, *targets, write_to="gen/shop", data_dir=tmp_path)
    assert_frame_equal(again, out)

    with pytest.raises(NodeError, match=r"^write_to: '\.\./x/ddl/.*' is outside the data "):
        await generate(env, "ddl", write_to="../x", data_dir=tmp_path / "gen")
    (tmp_path / "blocked").write_text("a file where a directory should be")
    with pytest.raises(NodeError, match=r"^write_to: cannot write 'graphql/schema.graphql'"):
        await generate(env, "graphql", write_to="blocked", data_dir=tmp_path)
