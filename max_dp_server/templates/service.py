"""Message templates: CRUD, render preview, variable matching. Members read; editors write.

``variables`` are derived from ``{{...}}`` in subject and content on every save (the node
library's ``template_variables``), so they cannot disagree with the text.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from max_dp_server.errors import NotFoundError
from max_dp_server.mappings.store import to_table_mapping
from max_dp_server.models import MessageTemplate, StoredTableMapping, User, WorkspaceRole
from max_dp_server.templates.schemas import (
    RenderRequest,
    RenderResult,
    TemplateCreate,
    TemplateUpdate,
    VariableMatch,
)
from max_dp_server.workspaces.service import authorize, ensure_name_free
from nodes.messaging.templates import render_text, template_variables


def variables_of(subject: str, content: str) -> list[str]:
    return list(dict.fromkeys([*template_variables(subject), *template_variables(content)]))


async def get_template(
    session: AsyncSession, user: User, template_id: uuid.UUID, needed: WorkspaceRole
) -> MessageTemplate:
    row = await session.get(MessageTemplate, template_id)
    if row is None:
        raise NotFoundError(f"no message template with id {template_id}")
    try:
        await authorize(session, user, row.workspace_id, needed)
    except NotFoundError:
        raise NotFoundError(f"no message template with id {template_id}") from None
    return row


async def list_templates(
    session: AsyncSession,
    user: User,
    workspace_id: uuid.UUID,
    *,
    q: str | None,
    category: str | None,
    channel: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[MessageTemplate], int]:
    await authorize(session, user, workspace_id, WorkspaceRole.viewer)
    query = select(MessageTemplate).where(MessageTemplate.workspace_id == workspace_id)
    if category is not None:
        query = query.where(MessageTemplate.category == category)
    if channel is not None:
        query = query.where(MessageTemplate.channel == channel)
    if q:
        query = query.where(
            or_(
                MessageTemplate.name.icontains(q, autoescape=True),
                MessageTemplate.content.icontains(q, autoescape=True),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(MessageTemplate.name, MessageTemplate.id).limit(limit).offset(offset)
    )
    return rows.all(), int(total or 0)


async def _name_free(
    session: AsyncSession, workspace_id: uuid.UUID, name: str, own_id: uuid.UUID | None = None
) -> None:
    await ensure_name_free(
        session, MessageTemplate, workspace_id, name, what="a message template", own_id=own_id
    )


async def create_template(
    session: AsyncSession, user: User, workspace_id: uuid.UUID, data: TemplateCreate
) -> MessageTemplate:
    await authorize(session, user, workspace_id, WorkspaceRole.editor)
    await _name_free(session, workspace_id, data.name)
    row = MessageTemplate(
        workspace_id=workspace_id,
        name=data.name,
        category=data.category,
        channel=data.channel,
        subject=data.subject,
        content=data.content,
        variables=variables_of(data.subject, data.content),
        usage_count=0,
        created_by=user.id,
        updated_by=user.id,
    )
    session.add(row)
    await session.flush()
    return row


async def update_template(
    session: AsyncSession, user: User, template_id: uuid.UUID, data: TemplateUpdate
) -> MessageTemplate:
    row = await get_template(session, user, template_id, WorkspaceRole.editor)
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    if "name" in changes:
        await _name_free(session, row.workspace_id, changes["name"], row.id)
    for key, value in changes.items():
        setattr(row, key, value)
    row.variables = variables_of(row.subject, row.content)
    row.updated_by = user.id
    await session.flush()
    return row


async def delete_template(session: AsyncSession, user: User, template_id: uuid.UUID) -> None:
    await session.delete(await get_template(session, user, template_id, WorkspaceRole.editor))


def render(row: MessageTemplate, req: RenderRequest) -> RenderResult:
    """The template with ``values``, as template_render would print them; not a use."""
    subject, missing_subject = render_text(row.subject, req.values)
    content, missing_content = render_text(row.content, req.values)
    return RenderResult(
        subject=subject,
        content=content,
        missing=list(dict.fromkeys([*missing_subject, *missing_content])),
    )


async def match_mapping(
    session: AsyncSession, row: MessageTemplate, mapping_name: str
) -> VariableMatch:
    """Each variable's column in the mapping: by column name, else by display name."""
    stored = await session.scalar(
        select(StoredTableMapping).where(
            StoredTableMapping.workspace_id == row.workspace_id,
            StoredTableMapping.name == mapping_name,
        )
    )
    if stored is None:
        raise NotFoundError(f"no table mapping named {mapping_name!r} in this workspace")
    shown_names = to_table_mapping(stored).display_names()
    by_display = {shown: column for column, shown in shown_names.items()}
    columns = set(stored.fields)
    matched: dict[str, str | None] = {
        var: var if var in columns else by_display.get(var) for var in row.variables
    }
    missing = [var for var, column in matched.items() if column is None]
    return VariableMatch(
        mapping=mapping_name, variables=matched, missing=missing, complete=not missing
    )
