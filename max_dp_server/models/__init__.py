"""SQLAlchemy tables, one module per aggregate. Importing this package fills ``Base.metadata``."""

from max_dp_server.models.api_key import ApiKey
from max_dp_server.models.connection import StoredConnection
from max_dp_server.models.flow import FlowVersion, StoredFlow
from max_dp_server.models.mapping import StoredTableMapping
from max_dp_server.models.published import ExecuteResult, PublishedEndpoint
from max_dp_server.models.run import NodeRunRecord, RunRecord
from max_dp_server.models.schedule import Schedule, ScheduleFire, SchedulerLease
from max_dp_server.models.template import MessageTemplate
from max_dp_server.models.token import RefreshToken
from max_dp_server.models.user import Group, Role, User, user_groups
from max_dp_server.models.workspace import Workspace, WorkspaceMember, WorkspaceRole

__all__ = [
    "ApiKey",
    "ExecuteResult",
    "FlowVersion",
    "Group",
    "MessageTemplate",
    "NodeRunRecord",
    "PublishedEndpoint",
    "RefreshToken",
    "Role",
    "RunRecord",
    "Schedule",
    "ScheduleFire",
    "SchedulerLease",
    "StoredConnection",
    "StoredFlow",
    "StoredTableMapping",
    "User",
    "Workspace",
    "WorkspaceMember",
    "WorkspaceRole",
    "user_groups",
]
