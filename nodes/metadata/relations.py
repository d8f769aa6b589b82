"""Relations from foreign keys: ManyToOne / OneToMany, OneToOne, and ManyToMany via join tables.

Every single-column foreign key between two introspected tables gives two rows, one per
direction: ``ManyToOne`` from the referencing column (``order.user``) and ``OneToMany`` back
(``user.orders``); when the referencing column is unique on its own (a primary key or unique
constraint of exactly that column) both are ``OneToOne`` (``user.profile``). A *join table* is
one whose primary key, or a unique constraint, is exactly two of its single-column foreign
keys; it links the two referenced tables ``ManyToMany`` both ways (``order.products``,
``product.orders``), and keeps its own ManyToOne/OneToMany rows, since it may carry data of
its own (``quantity``). ``mappings_relation`` has no column for the join table, so a
ManyToMany row's ``constraint_name`` holds it as ``schema.table``.

Field names avoid the table's column fields and each other: ``user`` from ``user_id``,
``orders``; a second key from one table to the same target gets ``ordersByApprover``.

>>> from nodes.metadata.introspect import CatalogTable, ForeignKey, KeyConstraint
>>> users = CatalogTable("s", "users", primary_key=KeyConstraint("p", ["id"]))
>>> orders = CatalogTable("s", "orders", primary_key=KeyConstraint("p", ["id"]),
...     foreign_keys=[ForeignKey("fk", ["user_id"], "s", "users", ["id"], "CASCADE")])
>>> [(r.from_table, r.relation_type, r.graphql_field) for r in infer_relations([users, orders], {})]
[('orders', 'ManyToOne', 'user'), ('users', 'OneToMany', 'orders')]
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from nodes.metadata.introspect import CatalogTable, ForeignKey
from nodes.metadata.naming import camel_case, list_name, pascal_case, singular

__all__ = ["Relation", "infer_relations"]

Key = tuple[str, str]


@dataclass
class Relation:
    from_schema: str
    from_table: str
    from_column: str
    to_schema: str
    to_table: str
    to_column: str
    relation_type: str
    graphql_field: str
    is_cascade_delete: bool
    constraint_name: str | None

    @property
    def key(self) -> tuple[str, str, str, str, str, str]:
        return (
            self.from_schema, self.from_table, self.from_column,
            self.to_schema, self.to_table, self.to_column,
        )  # fmt: skip

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


def _base(column: str) -> str:
    """``user_id`` -> ``user``; ``ownerId`` -> ``owner``; '' when nothing is left."""
    return re.sub(r"(_id|Id|_fk|_key|_ref)$", "", column) if len(column) > 3 else ""


class _Names:
    """The GraphQL field names taken on each table (columns first, then relations)."""

    def __init__(self, fields: dict[Key, set[str]]) -> None:
        self.taken = {k: set(v) for k, v in fields.items()}

    def claim(self, table: Key, wanted: str, fallback: str) -> str:
        taken = self.taken.setdefault(table, set())
        name = wanted if wanted not in taken else fallback
        n = 1
        base = name
        while name in taken:
            n += 1
            name = f"{base}{n}"
        taken.add(name)
        return name


def infer_relations(tables: list[CatalogTable], fields: dict[Key, set[str]]) -> list[Relation]:
    """Relations among ``tables``; ``fields`` holds each table's column field names."""
    by_key = {t.key: t for t in tables}
    names = _Names(fields)
    out: list[Relation] = []
    seen: set[tuple[str, ...]] = set()

    def add(rel: Relation) -> None:
        if rel.key not in seen:  # the table's unique key; a second join table is dropped
            seen.add(rel.key)
            out.append(rel)

    for table in sorted(tables, key=lambda t: t.key):
        singles = [
            fk
            for fk in sorted(table.foreign_keys, key=lambda f: f.name)
            if len(fk.columns) == 1 and (fk.ref_schema, fk.ref_table) in by_key
        ]
        unique = set(table.unique_sets())
        for fk in singles:
            target = by_key[(fk.ref_schema, fk.ref_table)]
            one = frozenset(fk.columns) in unique
            col, ref_col = fk.columns[0], fk.ref_columns[0]
            forward = camel_case(_base(col) or singular(target.name))
            fallback = forward + "By" + pascal_case(col)
            add(
                Relation(
                    table.schema,
                    table.name,
                    col,
                    target.schema,
                    target.name,
                    ref_col,
                    "OneToOne" if one else "ManyToOne",
                    names.claim(table.key, forward, fallback),
                    fk.on_delete == "CASCADE",
                    fk.name,
                )
            )
            same_target = [
                f for f in singles if f.ref_table == fk.ref_table and f.ref_schema == fk.ref_schema
            ]
            back = camel_case(singular(table.name)) if one else list_name(table.name)
            if len(same_target) > 1:
                back += "By" + pascal_case(_base(col) or col)
            add(
                Relation(
                    target.schema,
                    target.name,
                    ref_col,
                    table.schema,
                    table.name,
                    col,
                    "OneToOne" if one else "OneToMany",
                    names.claim(target.key, back, back + "By" + pascal_case(col)),
                    False,
                    fk.name,
                )
            )
        for left, right in _join_pairs(table, singles, unique):
            a = by_key[(left.ref_schema, left.ref_table)]
            b = by_key[(right.ref_schema, right.ref_table)]
            via = f"{table.schema}.{table.name}"
            for src, dst, src_fk, dst_fk in ((a, b, left, right), (b, a, right, left)):
                wanted = list_name(dst.name)
                add(
                    Relation(
                        src.schema,
                        src.name,
                        src_fk.ref_columns[0],
                        dst.schema,
                        dst.name,
                        dst_fk.ref_columns[0],
                        "ManyToMany",
                        names.claim(src.key, wanted, wanted + "Via" + pascal_case(table.name)),
                        False,
                        via,
                    )
                )
    return out


def _join_pairs(
    table: CatalogTable, singles: list[ForeignKey], unique: set[frozenset[str]]
) -> list[tuple[ForeignKey, ForeignKey]]:
    """Pairs of foreign keys whose two columns are exactly a key of ``table``."""
    pairs = []
    for i, left in enumerate(singles):
        for right in singles[i + 1 :]:
            if frozenset(left.columns + right.columns) in unique and left.columns != right.columns:
                pairs.append((left, right))
    return pairs
