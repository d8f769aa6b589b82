"""The ``_metadata`` schema of the metadata guide (seeds/001), version ``SCHEMA_VERSION``.

Everything ``metadata_init`` creates is written here once, as the guide has it: the four enums,
``project`` (one row, ``id = 1``), ``mappings_table``, ``mappings_column``,
``mappings_relation``, ``mappings_api_endpoint``, ``metadata_sync_log``, their comments, the
GIN, partial and composite indexes and the ``updated_at`` triggers. The only text put into
these statements at run time is the schema name, quoted by the database's own rules.

Where the guide's two listings differ, this module takes the fuller one: the table comments and
``idx_metadata_sync_log_record`` of the per-table sections, which the complete script leaves
out. The guide's trigger function ``update_updated_at_column()`` lives in the metadata schema
(the guide leaves it in ``public``), so two metadata schemas in one database never share it.

Changing anything here is a new ``SCHEMA_VERSION``.

>>> objects = metadata_objects('"_metadata"')
>>> [o.name for o in objects if o.kind == "table"]
['project', 'mappings_table', 'mappings_column', 'mappings_relation',
 'mappings_api_endpoint', 'metadata_sync_log']
>>> print(next(o for o in objects if o.name == "relation_type_enum").statements[0])
CREATE TYPE "_metadata".relation_type_enum AS ENUM
('OneToOne', 'OneToMany', 'ManyToOne', 'ManyToMany')
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ENUMS",
    "EXTENSIONS",
    "INDEXES",
    "SCHEMA_VERSION",
    "TABLES",
    "TRIGGERS",
    "DbObject",
    "metadata_objects",
    "table_columns",
]

SCHEMA_VERSION = 1
_S = "__SCHEMA__"  # replaced by the quoted schema name; never appears in the text below

SCHEMA_COMMENT = "메타데이터 기반 개발 시스템의 메타데이터 저장소"
EXTENSIONS = ("btree_gin", "pg_trgm")

ENUMS: dict[str, tuple[str, ...]] = {
    "relation_type_enum": ("OneToOne", "OneToMany", "ManyToOne", "ManyToMany"),
    "http_method_enum": ("GET", "POST", "PUT", "DELETE", "PATCH"),
    "project_status_enum": (
        "PLANNING", "DEVELOPMENT", "TESTING", "STAGING", "PRODUCTION", "MAINTENANCE", "ARCHIVED",
    ),
    "project_template_enum": (
        "BASIC", "ECOMMERCE", "CMS", "DASHBOARD", "API_ONLY", "MOBILE_BACKEND", "MICROSERVICE",
    ),
}  # fmt: skip

_PROJECT = f"""CREATE TABLE {_S}.project (
    id BIGSERIAL PRIMARY KEY,
    project_id VARCHAR(100) NOT NULL,
    project_name VARCHAR(200) NOT NULL,
    description TEXT,
    root_path VARCHAR(500) NOT NULL,
    backend_path VARCHAR(200) DEFAULT './backend',
    frontend_path VARCHAR(200) DEFAULT './frontend',
    database_path VARCHAR(200) DEFAULT './database',
    template {_S}.project_template_enum DEFAULT 'BASIC',
    status {_S}.project_status_enum DEFAULT 'PLANNING',
    version VARCHAR(50) DEFAULT '1.0.0',
    tech_stack JSONB,
    package_manager VARCHAR(20) DEFAULT 'npm',
    node_version VARCHAR(20),
    database_config JSONB,
    default_schema VARCHAR(100) DEFAULT 'public',
    generation_config JSONB,
    auto_generation BOOLEAN DEFAULT TRUE,
    watch_mode BOOLEAN DEFAULT TRUE,
    git_repository VARCHAR(500),
    git_branch VARCHAR(100) DEFAULT 'main',
    owner_id BIGINT,
    team_members JSONB,
    deployment_config JSONB,
    environments JSONB,
    api_config JSONB,
    external_services JSONB,
    dev_tools_config JSONB,
    linting_config JSONB,
    testing_config JSONB,
    plugins JSONB,
    custom_generators JSONB,
    readme_template TEXT,
    documentation_config JSONB,
    tags JSONB,
    metadata JSONB,
    created_by BIGINT,
    updated_by BIGINT,
    last_generation_at TIMESTAMPTZ,
    last_sync_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    CONSTRAINT single_project CHECK (id = 1)
)"""

_MAPPINGS_TABLE = f"""CREATE TABLE {_S}.mappings_table (
    id BIGSERIAL PRIMARY KEY,
    schema_name VARCHAR(100) NOT NULL DEFAULT 'public',
    table_name VARCHAR(100) NOT NULL,
    graphql_type VARCHAR(100),
    label VARCHAR(200) NOT NULL,
    description TEXT,
    primary_key VARCHAR(100) DEFAULT 'id',
    is_api_enabled BOOLEAN DEFAULT TRUE,
    api_permissions JSONB,
    table_constraints JSONB,
    indexes JSONB,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE(schema_name, table_name)
)"""

_MAPPINGS_COLUMN = f"""CREATE TABLE {_S}.mappings_column (
    id BIGSERIAL PRIMARY KEY,
    table_id BIGINT REFERENCES {_S}.mappings_table(id) ON DELETE CASCADE,
    schema_name VARCHAR(100) NOT NULL,
    table_name VARCHAR(100) NOT NULL,
    pg_column VARCHAR(100) NOT NULL,
    pg_type VARCHAR(100),
    pg_constraints JSONB,
    graphql_field VARCHAR(100),
    graphql_type VARCHAR(50),
    graphql_resolver TEXT,
    is_graphql_input BOOLEAN DEFAULT TRUE,
    is_graphql_output BOOLEAN DEFAULT TRUE,
    label VARCHAR(200) NOT NULL,
    form_type VARCHAR(50) DEFAULT 'text',
    is_required BOOLEAN DEFAULT FALSE,
    is_visible BOOLEAN DEFAULT TRUE,
    sort_order INTEGER DEFAULT 0,
    default_value TEXT,
    enum_options JSONB,
    validation_rules JSONB,
    placeholder VARCHAR(200),
    help_text TEXT,
    api_source_key VARCHAR(200),
    api_source_path VARCHAR(500),
    api_source_type VARCHAR(100),
    data_transformation JSONB,
    is_api_field BOOLEAN DEFAULT FALSE,
    api_default_value TEXT,
    api_endpoints JSONB,
    permission_read VARCHAR(100) DEFAULT 'public',
    permission_write VARCHAR(100) DEFAULT 'authenticated',
    is_searchable BOOLEAN DEFAULT FALSE,
    is_sortable BOOLEAN DEFAULT TRUE,
    is_filterable BOOLEAN DEFAULT TRUE,
    search_config JSONB,
    is_primary_key BOOLEAN DEFAULT FALSE,
    is_unique BOOLEAN DEFAULT FALSE,
    is_indexed BOOLEAN DEFAULT FALSE,
    index_config JSONB,
    comment TEXT,
    remark TEXT,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE(schema_name, table_name, pg_column)
)"""

_MAPPINGS_RELATION = f"""CREATE TABLE {_S}.mappings_relation (
    id BIGSERIAL PRIMARY KEY,
    from_table_id BIGINT REFERENCES {_S}.mappings_table(id) ON DELETE CASCADE,
    to_table_id BIGINT REFERENCES {_S}.mappings_table(id) ON DELETE CASCADE,
    from_schema VARCHAR(100) NOT NULL,
    from_table VARCHAR(100) NOT NULL,
    from_column VARCHAR(100) NOT NULL,
    to_schema VARCHAR(100) NOT NULL,
    to_table VARCHAR(100) NOT NULL,
    to_column VARCHAR(100) NOT NULL,
    relation_type {_S}.relation_type_enum NOT NULL,
    graphql_field VARCHAR(100),
    is_cascade_delete BOOLEAN DEFAULT FALSE,
    constraint_name VARCHAR(200),
    created_at TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE(from_schema, from_table, from_column, to_schema, to_table, to_column)
)"""

_MAPPINGS_API_ENDPOINT = f"""CREATE TABLE {_S}.mappings_api_endpoint (
    id BIGSERIAL PRIMARY KEY,
    endpoint_name VARCHAR(100) NOT NULL UNIQUE,
    base_url VARCHAR(500) NOT NULL,
    method {_S}.http_method_enum DEFAULT 'GET',
    headers JSONB,
    auth_config JSONB,
    rate_limit_config JSONB,
    timeout_ms INTEGER DEFAULT 30000,
    retry_config JSONB,
    cache_config JSONB,
    request_mapping JSONB,
    response_mapping JSONB,
    description TEXT,
    is_active BOOLEAN DEFAULT TRUE,
    created_at TIMESTAMPTZ DEFAULT NOW(),
    updated_at TIMESTAMPTZ DEFAULT NOW()
)"""

_METADATA_SYNC_LOG = f"""CREATE TABLE {_S}.metadata_sync_log (
    id BIGSERIAL PRIMARY KEY,
    table_name VARCHAR(100) NOT NULL,
    operation VARCHAR(20) NOT NULL,
    record_id BIGINT,
    old_data JSONB,
    new_data JSONB,
    code_generated BOOLEAN DEFAULT FALSE,
    generation_time_ms INTEGER,
    changed_by BIGINT,
    changed_at TIMESTAMPTZ DEFAULT NOW()
)"""

# table -> (CREATE TABLE, table comment, {column: comment}); creation order follows the
# guide's script (project after the mappings tables would also work: nothing refers to it).
TABLES: dict[str, tuple[str, str, dict[str, str]]] = {
    "project": (
        _PROJECT,
        "프로젝트 정보 - 이 DB의 프로젝트 정보 (단일 레코드)",
        {
            "tech_stack": '예: {"backend": "Node.js + TypeScript + GraphQL", '
            '"frontend": "Next.js + React 19", "database": "PostgreSQL 16"}',
            "database_config": '예: {"host": "localhost", "port": 5432, '
            '"database": "myapp_dev", "ssl": false}',
            "generation_config": '예: {"outputDir": "./src/generated", '
            '"includeComments": true, "prettier": true}',
        },
    ),
    "mappings_table": (
        _MAPPINGS_TABLE,
        "테이블 레벨 메타데이터 - 각 비즈니스 엔티티의 기본 정보",
        {
            "api_permissions": '예: {"read": "public", "write": "authenticated", '
            '"delete": "admin"}',
            "table_constraints": '예: {"checks": [{"name": "check_status", '
            "\"condition\": \"status IN ('ACTIVE', 'INACTIVE')\"}]}",
            "indexes": '예: [{"columns": ["email"], "type": "UNIQUE"}, '
            '{"columns": ["created_at"], "type": "BTREE"}]',
        },
    ),
    "mappings_column": (
        _MAPPINGS_COLUMN,
        "컬럼 레벨 메타데이터 - 각 필드의 상세 정보",
        {
            "pg_constraints": '예: {"notNull": true, "default": "ACTIVE", '
            "\"check\": \"status IN ('ACTIVE', 'INACTIVE')\"}",
            "enum_options": '예: [{"value": "ACTIVE", "label": "활성"}, '
            '{"value": "INACTIVE", "label": "비활성"}]',
            "validation_rules": '예: {"minLength": 3, "maxLength": 50, '
            '"pattern": "^[a-zA-Z0-9]+$", "email": true}',
            "search_config": '예: {"weight": "A", "language": "korean", "boost": 2.0}',
        },
    ),
    "mappings_relation": (
        _MAPPINGS_RELATION,
        "테이블 간 관계 정의 - Foreign Key 및 GraphQL 관계",
        {},
    ),
    "mappings_api_endpoint": (
        _MAPPINGS_API_ENDPOINT,
        "외부 API 엔드포인트 설정",
        {
            "auth_config": '예: {"type": "Bearer", "tokenField": "access_token", '
            '"refreshUrl": "/oauth/token"}',
            "rate_limit_config": '예: {"maxRequests": 100, "windowMs": 60000}',
            "retry_config": '예: {"maxRetries": 3, "backoff": "exponential", "initialDelay": 1000}',
        },
    ),
    "metadata_sync_log": (_METADATA_SYNC_LOG, "메타데이터 변경 이력 추적", {}),
}

# name -> (table, definition after ON <table>)
INDEXES: dict[str, tuple[str, str]] = {
    "idx_mappings_column_enum_options": ("mappings_column", "USING GIN (enum_options)"),
    "idx_mappings_column_validation_rules": ("mappings_column", "USING GIN (validation_rules)"),
    "idx_project_tech_stack": ("project", "USING GIN (tech_stack)"),
    "idx_mappings_column_api_fields": (
        "mappings_column",
        "(table_name, pg_column) WHERE is_api_field = TRUE",
    ),
    "idx_mappings_column_searchable": (
        "mappings_column",
        "(table_name) WHERE is_searchable = TRUE",
    ),
    "idx_mappings_column_table_order": (
        "mappings_column",
        "(schema_name, table_name, sort_order)",
    ),
    "idx_project_status": ("project", "(status)"),
    "idx_metadata_sync_log_table": ("metadata_sync_log", "(table_name, changed_at DESC)"),
    "idx_metadata_sync_log_record": ("metadata_sync_log", "(table_name, record_id)"),
}

TRIGGER_FUNCTION = "update_updated_at_column"
_FUNCTION = f"""CREATE OR REPLACE FUNCTION {_S}.{TRIGGER_FUNCTION}()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql"""
# trigger -> table (the guide's three; mappings_api_endpoint has updated_at but no trigger there)
TRIGGERS: dict[str, str] = {
    "trigger_mappings_table_updated_at": "mappings_table",
    "trigger_mappings_column_updated_at": "mappings_column",
    "trigger_project_updated_at": "project",
}


@dataclass(frozen=True)
class DbObject:
    """One object ``metadata_init`` ensures: created by ``statements`` when missing."""

    kind: str  # extension, schema, type, table, index, function, trigger
    name: str
    statements: tuple[str, ...]
    table: str | None = None  # the table of an index or trigger


def table_columns(table: str) -> list[str]:
    """The column names of one of the guide's tables, in order."""
    lines = TABLES[table][0].splitlines()[1:-1]
    return [
        line.split()[0] for line in lines if not line.lstrip().startswith(("UNIQUE", "CONSTRAINT"))
    ]


def _literal(text: str) -> str:
    # Only for the constant comments above (no user text): standard SQL quoting.
    return "'" + text.replace("'", "''") + "'"


def metadata_objects(schema_sql: str, *, extensions: bool = True) -> list[DbObject]:
    """Every object of the schema, in creation order, for the quoted schema name."""

    def sql(template: str) -> str:
        return template.replace(_S, schema_sql)

    objects = [
        DbObject("extension", name, (f"CREATE EXTENSION IF NOT EXISTS {name}",))
        for name in (EXTENSIONS if extensions else ())
    ]
    objects.append(
        DbObject(
            "schema",
            "",
            (
                f"CREATE SCHEMA IF NOT EXISTS {schema_sql}",
                f"COMMENT ON SCHEMA {schema_sql} IS {_literal(SCHEMA_COMMENT)}",
            ),
        )
    )
    for name, labels in ENUMS.items():
        values = ", ".join(_literal(v) for v in labels)
        objects.append(
            DbObject("type", name, (f"CREATE TYPE {schema_sql}.{name} AS ENUM ({values})",))
        )
    for name, (create, comment, column_comments) in TABLES.items():
        statements = [sql(create), f"COMMENT ON TABLE {schema_sql}.{name} IS {_literal(comment)}"]
        statements += [
            f"COMMENT ON COLUMN {schema_sql}.{name}.{column} IS {_literal(text)}"
            for column, text in column_comments.items()
        ]
        objects.append(DbObject("table", name, tuple(statements)))
    for name, (table, definition) in INDEXES.items():
        statement = f"CREATE INDEX IF NOT EXISTS {name} ON {schema_sql}.{table} {definition}"
        objects.append(DbObject("index", name, (statement,), table))
    objects.append(DbObject("function", TRIGGER_FUNCTION, (sql(_FUNCTION),)))
    for name, table in TRIGGERS.items():
        statement = (
            f"CREATE TRIGGER {name}\n    BEFORE UPDATE ON {schema_sql}.{table}\n"
            f"    FOR EACH ROW\n    EXECUTE FUNCTION {schema_sql}.{TRIGGER_FUNCTION}()"
        )
        objects.append(DbObject("trigger", name, (statement,), table))
    return objects
