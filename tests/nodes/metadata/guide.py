"""The metadata guide (seeds/001) written out by hand, as the catalog should show it: the
expected columns, constraints, indexes, enums and comments of schema version 1."""

from __future__ import annotations

import pandas as pd

VC = "character varying"
TZ = "timestamp with time zone"


def expected_columns(s: str) -> dict[str, list[tuple]]:
    """The guide's tables, column by column: (name, type, NOT NULL, default), as
    ``format_type`` and ``pg_get_expr`` spell them, written out from the guide by hand."""
    now = (TZ, False, "now()")
    return {
        "project": [
            ("id", "bigint", True, f"nextval('{s}.project_id_seq'::regclass)"),
            ("project_id", f"{VC}(100)", True, None),
            ("project_name", f"{VC}(200)", True, None),
            ("description", "text", False, None),
            ("root_path", f"{VC}(500)", True, None),
            ("backend_path", f"{VC}(200)", False, f"'./backend'::{VC}"),
            ("frontend_path", f"{VC}(200)", False, f"'./frontend'::{VC}"),
            ("database_path", f"{VC}(200)", False, f"'./database'::{VC}"),
            (
                "template",
                f"{s}.project_template_enum",
                False,
                f"'BASIC'::{s}.project_template_enum",
            ),
            ("status", f"{s}.project_status_enum", False, f"'PLANNING'::{s}.project_status_enum"),
            ("version", f"{VC}(50)", False, f"'1.0.0'::{VC}"),
            ("tech_stack", "jsonb", False, None),
            ("package_manager", f"{VC}(20)", False, f"'npm'::{VC}"),
            ("node_version", f"{VC}(20)", False, None),
            ("database_config", "jsonb", False, None),
            ("default_schema", f"{VC}(100)", False, f"'public'::{VC}"),
            ("generation_config", "jsonb", False, None),
            ("auto_generation", "boolean", False, "true"),
            ("watch_mode", "boolean", False, "true"),
            ("git_repository", f"{VC}(500)", False, None),
            ("git_branch", f"{VC}(100)", False, f"'main'::{VC}"),
            ("owner_id", "bigint", False, None),
            ("team_members", "jsonb", False, None),
            ("deployment_config", "jsonb", False, None),
            ("environments", "jsonb", False, None),
            ("api_config", "jsonb", False, None),
            ("external_services", "jsonb", False, None),
            ("dev_tools_config", "jsonb", False, None),
            ("linting_config", "jsonb", False, None),
            ("testing_config", "jsonb", False, None),
            ("plugins", "jsonb", False, None),
            ("custom_generators", "jsonb", False, None),
            ("readme_template", "text", False, None),
            ("documentation_config", "jsonb", False, None),
            ("tags", "jsonb", False, None),
            ("metadata", "jsonb", False, None),
            ("created_by", "bigint", False, None),
            ("updated_by", "bigint", False, None),
            ("last_generation_at", TZ, False, None),
            ("last_sync_at", TZ, False, None),
            ("created_at", *now),
            ("updated_at", *now),
        ],
        "mappings_table": [
            ("id", "bigint", True, f"nextval('{s}.mappings_table_id_seq'::regclass)"),
            ("schema_name", f"{VC}(100)", True, f"'public'::{VC}"),
            ("table_name", f"{VC}(100)", True, None),
            ("graphql_type", f"{VC}(100)", False, None),
            ("label", f"{VC}(200)", True, None),
            ("description", "text", False, None),
            ("primary_key", f"{VC}(100)", False, f"'id'::{VC}"),
            ("is_api_enabled", "boolean", False, "true"),
            ("api_permissions", "jsonb", False, None),
            ("table_constraints", "jsonb", False, None),
            ("indexes", "jsonb", False, None),
            ("created_at", *now),
            ("updated_at", *now),
        ],
        "mappings_column": [
            ("id", "bigint", True, f"nextval('{s}.mappings_column_id_seq'::regclass)"),
            ("table_id", "bigint", False, None),
            ("schema_name", f"{VC}(100)", True, None),
            ("table_name", f"{VC}(100)", True, None),
            ("pg_column", f"{VC}(100)", True, None),
            ("pg_type", f"{VC}(100)", False, None),
            ("pg_constraints", "jsonb", False, None),
            ("graphql_field", f"{VC}(100)", False, None),
            ("graphql_type", f"{VC}(50)", False, None),
            ("graphql_resolver", "text", False, None),
            ("is_graphql_input", "boolean", False, "true"),
            ("is_graphql_output", "boolean", False, "true"),
            ("label", f"{VC}(200)", True, None),
            ("form_type", f"{VC}(50)", False, f"'text'::{VC}"),
            ("is_required", "boolean", False, "false"),
            ("is_visible", "boolean", False, "true"),
            ("sort_order", "integer", False, "0"),
            ("default_value", "text", False, None),
            ("enum_options", "jsonb", False, None),
            ("validation_rules", "jsonb", False, None),
            ("placeholder", f"{VC}(200)", False, None),
            ("help_text", "text", False, None),
            ("api_source_key", f"{VC}(200)", False, None),
            ("api_source_path", f"{VC}(500)", False, None),
            ("api_source_type", f"{VC}(100)", False, None),
            ("data_transformation", "jsonb", False, None),
            ("is_api_field", "boolean", False, "false"),
            ("api_default_value", "text", False, None),
            ("api_endpoints", "jsonb", False, None),
            ("permission_read", f"{VC}(100)", False, f"'public'::{VC}"),
            ("permission_write", f"{VC}(100)", False, f"'authenticated'::{VC}"),
            ("is_searchable", "boolean", False, "false"),
            ("is_sortable", "boolean", False, "true"),
            ("is_filterable", "boolean", False, "true"),
            ("search_config", "jsonb", False, None),
            ("is_primary_key", "boolean", False, "false"),
            ("is_unique", "boolean", False, "false"),
            ("is_indexed", "boolean", False, "false"),
            ("index_config", "jsonb", False, None),
            ("comment", "text", False, None),
            ("remark", "text", False, None),
            ("created_at", *now),
            ("updated_at", *now),
        ],
        "mappings_relation": [
            ("id", "bigint", True, f"nextval('{s}.mappings_relation_id_seq'::regclass)"),
            ("from_table_id", "bigint", False, None),
            ("to_table_id", "bigint", False, None),
            ("from_schema", f"{VC}(100)", True, None),
            ("from_table", f"{VC}(100)", True, None),
            ("from_column", f"{VC}(100)", True, None),
            ("to_schema", f"{VC}(100)", True, None),
            ("to_table", f"{VC}(100)", True, None),
            ("to_column", f"{VC}(100)", True, None),
            ("relation_type", f"{s}.relation_type_enum", True, None),
            ("graphql_field", f"{VC}(100)", False, None),
            ("is_cascade_delete", "boolean", False, "false"),
            ("constraint_name", f"{VC}(200)", False, None),
            ("created_at", *now),
        ],
        "mappings_api_endpoint": [
            ("id", "bigint", True, f"nextval('{s}.mappings_api_endpoint_id_seq'::regclass)"),
            ("endpoint_name", f"{VC}(100)", True, None),
            ("base_url", f"{VC}(500)", True, None),
            ("method", f"{s}.http_method_enum", False, f"'GET'::{s}.http_method_enum"),
            ("headers", "jsonb", False, None),
            ("auth_config", "jsonb", False, None),
            ("rate_limit_config", "jsonb", False, None),
            ("timeout_ms", "integer", False, "30000"),
            ("retry_config", "jsonb", False, None),
            ("cache_config", "jsonb", False, None),
            ("request_mapping", "jsonb", False, None),
            ("response_mapping", "jsonb", False, None),
            ("description", "text", False, None),
            ("is_active", "boolean", False, "true"),
            ("created_at", *now),
            ("updated_at", *now),
        ],
        "metadata_sync_log": [
            ("id", "bigint", True, f"nextval('{s}.metadata_sync_log_id_seq'::regclass)"),
            ("table_name", f"{VC}(100)", True, None),
            ("operation", f"{VC}(20)", True, None),
            ("record_id", "bigint", False, None),
            ("old_data", "jsonb", False, None),
            ("new_data", "jsonb", False, None),
            ("code_generated", "boolean", False, "false"),
            ("generation_time_ms", "integer", False, None),
            ("changed_by", "bigint", False, None),
            ("changed_at", *now),
        ],
    }


def expected_constraints(s: str) -> set[tuple[str, str, str]]:
    """(table, type, definition): names are PostgreSQL's defaults, so only definitions count."""
    fk = f"REFERENCES {s}.mappings_table(id) ON DELETE CASCADE"
    return {
        ("project", "p", "PRIMARY KEY (id)"),
        ("project", "c", "CHECK ((id = 1))"),
        ("mappings_table", "p", "PRIMARY KEY (id)"),
        ("mappings_table", "u", "UNIQUE (schema_name, table_name)"),
        ("mappings_column", "p", "PRIMARY KEY (id)"),
        ("mappings_column", "f", f"FOREIGN KEY (table_id) {fk}"),
        ("mappings_column", "u", "UNIQUE (schema_name, table_name, pg_column)"),
        ("mappings_relation", "p", "PRIMARY KEY (id)"),
        ("mappings_relation", "f", f"FOREIGN KEY (from_table_id) {fk}"),
        ("mappings_relation", "f", f"FOREIGN KEY (to_table_id) {fk}"),
        (
            "mappings_relation",
            "u",
            "UNIQUE (from_schema, from_table, from_column, to_schema, to_table, to_column)",
        ),
        ("mappings_api_endpoint", "p", "PRIMARY KEY (id)"),
        ("mappings_api_endpoint", "u", "UNIQUE (endpoint_name)"),
        ("metadata_sync_log", "p", "PRIMARY KEY (id)"),
    }


def expected_indexes(s: str) -> set[tuple[str, str]]:
    """The guide's GIN, partial and composite indexes (key indexes are checked above)."""
    on = f"ON {s}."
    return {
        ("idx_mappings_column_enum_options", f"{on}mappings_column USING gin (enum_options)"),
        (
            "idx_mappings_column_validation_rules",
            f"{on}mappings_column USING gin (validation_rules)",
        ),
        ("idx_project_tech_stack", f"{on}project USING gin (tech_stack)"),
        (
            "idx_mappings_column_api_fields",
            f"{on}mappings_column USING btree (table_name, pg_column) WHERE (is_api_field = true)",
        ),
        (
            "idx_mappings_column_searchable",
            f"{on}mappings_column USING btree (table_name) WHERE (is_searchable = true)",
        ),
        (
            "idx_mappings_column_table_order",
            f"{on}mappings_column USING btree (schema_name, table_name, sort_order)",
        ),
        ("idx_project_status", f"{on}project USING btree (status)"),
        (
            "idx_metadata_sync_log_table",
            f"{on}metadata_sync_log USING btree (table_name, changed_at DESC)",
        ),
        (
            "idx_metadata_sync_log_record",
            f"{on}metadata_sync_log USING btree (table_name, record_id)",
        ),
    }


GUIDE_ENUMS = {
    "relation_type_enum": ["OneToOne", "OneToMany", "ManyToOne", "ManyToMany"],
    "http_method_enum": ["GET", "POST", "PUT", "DELETE", "PATCH"],
    "project_status_enum": ["PLANNING", "DEVELOPMENT", "TESTING", "STAGING", "PRODUCTION",
                            "MAINTENANCE", "ARCHIVED"],
    "project_template_enum": ["BASIC", "ECOMMERCE", "CMS", "DASHBOARD", "API_ONLY",
                              "MOBILE_BACKEND", "MICROSERVICE"],
}  # fmt: skip
GUIDE_TABLE_COMMENTS = {
    "project": "프로젝트 정보 - 이 DB의 프로젝트 정보 (단일 레코드)",
    "mappings_table": "테이블 레벨 메타데이터 - 각 비즈니스 엔티티의 기본 정보",
    "mappings_column": "컬럼 레벨 메타데이터 - 각 필드의 상세 정보",
    "mappings_relation": "테이블 간 관계 정의 - Foreign Key 및 GraphQL 관계",
    "mappings_api_endpoint": "외부 API 엔드포인트 설정",
    "metadata_sync_log": "메타데이터 변경 이력 추적",
}
PROJECT = {"project_id": "shop", "project_name": "Shop", "root_path": "/workspace/shop"}


def first_run_frame(s: str, *, project: bool = True) -> pd.DataFrame:
    objects = [("btree_gin", "extension"), ("pg_trgm", "extension"), (s, "schema")]
    objects += [(f"{s}.{e}", "type") for e in GUIDE_ENUMS]
    objects += [(f"{s}.{t}", "table") for t in GUIDE_TABLE_COMMENTS]
    objects += [(f"{s}.{i}", "index") for i, _ in sorted(expected_indexes(s), key=_index_order)]
    objects += [(f"{s}.update_updated_at_column", "function")]
    objects += [
        (f"{s}.mappings_table.trigger_mappings_table_updated_at", "trigger"),
        (f"{s}.mappings_column.trigger_mappings_column_updated_at", "trigger"),
        (f"{s}.project.trigger_project_updated_at", "trigger"),
    ]
    if project:
        objects.append((f"{s}.project[id=1]", "row"))
    return pd.DataFrame(
        [{"object": o, "kind": k, "action": "created"} for o, k in objects],
        columns=["object", "kind", "action"],
    )


_GUIDE_INDEX_ORDER = [
    "idx_mappings_column_enum_options", "idx_mappings_column_validation_rules",
    "idx_project_tech_stack", "idx_mappings_column_api_fields", "idx_mappings_column_searchable",
    "idx_mappings_column_table_order", "idx_project_status", "idx_metadata_sync_log_table",
    "idx_metadata_sync_log_record",
]  # fmt: skip


def _index_order(item: tuple[str, str]) -> int:
    return _GUIDE_INDEX_ORDER.index(item[0])
