"""The catalog queries of ``introspect``: ``pg_catalog`` for PostgreSQL, ``information_schema``
for MySQL and MariaDB. Every query takes the schema list as the one bound parameter
``:schemas`` (``= ANY(:schemas)`` on PostgreSQL, an expanding ``IN :schemas`` on MySQL)."""

from __future__ import annotations

__all__ = [
    "MARIADB_CHECKS",
    "MYSQL_CHECKS",
    "MY_COLUMNS",
    "MY_INDEXES",
    "MY_KEYS",
    "MY_TABLES",
    "PG_COLUMNS",
    "PG_CONSTRAINTS",
    "PG_INDEXES",
    "PG_TABLES",
]

PG_TABLES = """
SELECT n.nspname::text AS schema, c.relname::text AS name,
       obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY(:schemas)
"""

# Domains are read as their base type; serial columns are told by the sequence they own.
PG_COLUMNS = """
SELECT n.nspname::text AS schema, c.relname::text AS table, a.attname::text AS name,
       a.attnum AS position, a.attnotnull AS not_null,
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod)
            ELSE format_type(a.atttypid, a.atttypmod) END AS type,
       tn.nspname::text AS type_schema, t.typname::text AS type_name,
       pg_get_expr(d.adbin, d.adrelid) AS default,
       col_description(c.oid, a.attnum) AS comment,
       a.attidentity::text AS identity, a.attgenerated::text AS generated,
       pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) IS NOT NULL
         AND a.attidentity = '' AS serial,
       CASE WHEN t.typtype = 'e' THEN ARRAY(
         SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid
         ORDER BY e.enumsortorder) END AS labels
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_namespace tn ON tn.oid = t.typnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
  AND n.nspname = ANY(:schemas)
ORDER BY 1, 2, a.attnum
"""

PG_CONSTRAINTS = """
SELECT n.nspname::text AS schema, c.relname::text AS table, con.conname::text AS name,
       con.contype::text AS type,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
             ORDER BY k.ord) AS columns,
       fn.nspname::text AS ref_schema, fc.relname::text AS ref_table,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
             ORDER BY k.ord) AS ref_columns,
       con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
       CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS condition
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype IN ('p', 'u', 'f', 'c') AND n.nspname = ANY(:schemas)
ORDER BY 1, 2, 3
"""

PG_INDEXES = """
SELECT n.nspname::text AS schema, c.relname::text AS table, ic.relname::text AS name,
       i.indisunique AS unique, am.amname::text AS method,
       pg_get_expr(i.indpred, i.indrelid) AS where,
       i.indexprs IS NOT NULL AS expression,
       ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord)
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num
             WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) AS columns,
       EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
               AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')) AS constraint
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = ic.relam
WHERE n.nspname = ANY(:schemas)
ORDER BY 1, 2, 3
"""

MY_TABLES = """
SELECT TABLE_SCHEMA AS `schema`, TABLE_NAME AS name, TABLE_COMMENT AS comment
FROM information_schema.TABLES
WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA IN :schemas
"""

MY_COLUMNS = """
SELECT TABLE_SCHEMA AS `schema`, TABLE_NAME AS `table`, COLUMN_NAME AS name,
       ORDINAL_POSITION AS position, COLUMN_DEFAULT AS `default`, IS_NULLABLE AS nullable,
       DATA_TYPE AS data_type, COLUMN_TYPE AS column_type, EXTRA AS extra,
       COLUMN_COMMENT AS comment, GENERATION_EXPRESSION AS generation
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA IN :schemas
ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION
"""

MY_KEYS = """
SELECT tc.TABLE_SCHEMA AS `schema`, tc.TABLE_NAME AS `table`, tc.CONSTRAINT_NAME AS name,
       tc.CONSTRAINT_TYPE AS type, k.COLUMN_NAME AS `column`,
       k.REFERENCED_TABLE_SCHEMA AS ref_schema, k.REFERENCED_TABLE_NAME AS ref_table,
       k.REFERENCED_COLUMN_NAME AS ref_column,
       rc.DELETE_RULE AS on_delete, rc.UPDATE_RULE AS on_update
FROM information_schema.TABLE_CONSTRAINTS tc
JOIN information_schema.KEY_COLUMN_USAGE k
  ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND k.TABLE_NAME = tc.TABLE_NAME
 AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS rc
  ON rc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND rc.TABLE_NAME = tc.TABLE_NAME
 AND rc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
WHERE tc.TABLE_SCHEMA IN :schemas
  AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
ORDER BY tc.TABLE_SCHEMA, tc.TABLE_NAME, tc.CONSTRAINT_NAME, k.ORDINAL_POSITION
"""

MY_INDEXES = """
SELECT TABLE_SCHEMA AS `schema`, TABLE_NAME AS `table`, INDEX_NAME AS name,
       NON_UNIQUE AS non_unique, COLUMN_NAME AS `column`, INDEX_TYPE AS method
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA IN :schemas
ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
"""

# MariaDB names column CHECKs after their column, so names repeat across tables: its
# CHECK_CONSTRAINTS has TABLE_NAME. MySQL 8's does not; there names are unique per schema.
MARIADB_CHECKS = """
SELECT CONSTRAINT_SCHEMA AS `schema`, TABLE_NAME AS `table`, CONSTRAINT_NAME AS name,
       CHECK_CLAUSE AS `condition`
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA IN :schemas
ORDER BY 1, 2, 3
"""

MYSQL_CHECKS = """
SELECT tc.TABLE_SCHEMA AS `schema`, tc.TABLE_NAME AS `table`, cc.CONSTRAINT_NAME AS name,
       cc.CHECK_CLAUSE AS `condition`
FROM information_schema.TABLE_CONSTRAINTS tc
JOIN information_schema.CHECK_CONSTRAINTS cc
  ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
WHERE tc.CONSTRAINT_TYPE = 'CHECK' AND tc.TABLE_SCHEMA IN :schemas
ORDER BY 1, 2, 3
"""
