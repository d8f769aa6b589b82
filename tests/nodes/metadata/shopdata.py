"""The sample shop (flows/examples/data/shop_schema*.sql) as the metadata should record it,
written out by hand: tables, columns, relations, and the summary of a first run."""

from __future__ import annotations

import pandas as pd

TABLES = pd.DataFrame(
    [
        ("order_items", "OrderItem", "Order items", None, "order_id,product_id"),
        ("orders", "Order", "Orders", None, "id"),
        ("products", "Product", "Products", "What the shop sells", "id"),
        ("user_profiles", "UserProfile", "User profiles", None, "id"),
        ("users", "User", "Users", "People who can sign in and order", "id"),
    ],
    columns=["table_name", "graphql_type", "label", "description", "primary_key"],
)
# table, column, pg_type, key, unique, required, field, GraphQL type, label, form, order
COLUMNS = [
    ("order_items", "order_id", "BIGINT", True, False, True, "orderId", "ID", "Order", "number"),
    ("order_items", "product_id", "INTEGER", True, False, True, "productId", "ID", "Product",
     "number"),
    ("order_items", "quantity", "INTEGER", False, False, False, "quantity", "Int", "Quantity",
     "number"),
    ("order_items", "unit_price", "NUMERIC(10,2)", False, False, True, "unitPrice", "Decimal",
     "Unit price", "number"),
    ("orders", "id", "BIGSERIAL", True, True, False, "id", "ID", "ID", "hidden"),
    ("orders", "user_id", "BIGINT", False, False, True, "userId", "ID", "User", "number"),
    ("orders", "status", "order_status", False, False, False, "status", "String", "Status",
     "select"),
    ("orders", "ordered_at", "TIMESTAMPTZ", False, False, False, "orderedAt", "DateTime",
     "Ordered at", "datetime"),
    ("orders", "note", "TEXT", False, False, False, "note", "String", "Note", "textarea"),
    ("products", "id", "SERIAL", True, True, False, "id", "ID", "ID", "hidden"),
    ("products", "sku", "VARCHAR(40)", False, True, True, "sku", "String", "Sku", "text"),
    ("products", "name", "VARCHAR(200)", False, False, True, "name", "String", "Name", "text"),
    ("products", "description", "TEXT", False, False, False, "description", "String",
     "Description", "textarea"),
    ("products", "price", "NUMERIC(10,2)", False, False, True, "price", "Decimal", "Price",
     "number"),
    ("products", "stock", "INTEGER", False, False, False, "stock", "Int", "Stock", "number"),
    ("products", "size", "VARCHAR(2)", False, False, False, "size", "String", "Size", "select"),
    ("products", "attributes", "JSONB", False, False, False, "attributes", "JSON", "Attributes",
     "json"),
    ("user_profiles", "id", "SERIAL", True, True, False, "id", "ID", "ID", "hidden"),
    ("user_profiles", "user_id", "BIGINT", False, True, True, "userId", "ID", "User", "number"),
    ("user_profiles", "avatar_url", "VARCHAR(500)", False, False, False, "avatarUrl", "String",
     "Avatar url", "url"),
    ("user_profiles", "phone", "VARCHAR(30)", False, False, False, "phone", "String", "Phone",
     "tel"),
    ("users", "id", "BIGSERIAL", True, True, False, "id", "ID", "ID", "hidden"),
    ("users", "email", "VARCHAR(255)", False, True, True, "email", "String", "이메일 주소",
     "email"),
    ("users", "full_name", "VARCHAR(100)", False, False, True, "fullName", "String", "이름",
     "text"),
    ("users", "bio", "TEXT", False, False, False, "bio", "String", "Bio", "textarea"),
    ("users", "is_active", "BOOLEAN", False, False, False, "isActive", "Boolean", "Is active",
     "checkbox"),
    ("users", "birth_date", "DATE", False, False, False, "birthDate", "Date", "Birth date",
     "date"),
    ("users", "created_at", "TIMESTAMPTZ", False, False, False, "createdAt", "DateTime",
     "Created at", "datetime"),
]  # fmt: skip
COLUMN_NAMES = [
    "table_name",
    "pg_column",
    "pg_type",
    "is_primary_key",
    "is_unique",
    "is_required",
    "graphql_field",
    "graphql_type",
    "label",
    "form_type",
]
RELATIONS = [
    ("user_profiles", "user_id", "users", "id", "OneToOne", "user", True,
     "user_profiles_user_id_fkey"),
    ("users", "id", "user_profiles", "user_id", "OneToOne", "userProfile", False,
     "user_profiles_user_id_fkey"),
    ("orders", "user_id", "users", "id", "ManyToOne", "user", True, "orders_user_id_fkey"),
    ("users", "id", "orders", "user_id", "OneToMany", "orders", False, "orders_user_id_fkey"),
    ("order_items", "order_id", "orders", "id", "ManyToOne", "order", True,
     "order_items_order_id_fkey"),
    ("orders", "id", "order_items", "order_id", "OneToMany", "orderItems", False,
     "order_items_order_id_fkey"),
    ("order_items", "product_id", "products", "id", "ManyToOne", "product", False,
     "order_items_product_id_fkey"),
    ("products", "id", "order_items", "product_id", "OneToMany", "orderItems", False,
     "order_items_product_id_fkey"),
    ("orders", "id", "products", "id", "ManyToMany", "products", False, "{s}.order_items"),
    ("products", "id", "orders", "id", "ManyToMany", "orders", False, "{s}.order_items"),
]  # fmt: skip
RELATION_NAMES = [
    "from_table",
    "from_column",
    "to_table",
    "to_column",
    "relation_type",
    "graphql_field",
    "is_cascade_delete",
    "constraint_name",
]


def expected_columns(status_type: str) -> pd.DataFrame:
    rows = [r if r[1] != "status" else (*r[:2], status_type, *r[3:]) for r in COLUMNS]
    return pd.DataFrame(rows, columns=COLUMN_NAMES)


def summary(rows: list[tuple], action: str, schema: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "kind": k,
                "schema": schema,
                "table": t,
                "name": n,
                "action": action,
                "changed": "",
                "kept": "",
            }
            for k, t, n in rows
        ]
    )
    return sorted_summary(frame)


def sorted_summary(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["kind", "table", "name"]).reset_index(drop=True)


def shop_objects() -> list[tuple]:
    rows = [("table", t, t) for t in TABLES["table_name"]]
    rows += [("column", r[0], r[1]) for r in COLUMNS]
    rows += [("relation", r[0], f"{r[0]}.{r[5]}") for r in RELATIONS]
    return rows
