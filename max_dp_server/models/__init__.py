"""SQLAlchemy tables, one module per aggregate. Importing this package fills ``Base.metadata``."""

from max_dp_server.models.flow import FlowVersion, StoredFlow
from max_dp_server.models.run import NodeRunRecord, RunRecord
from max_dp_server.models.token import RefreshToken
from max_dp_server.models.user import Group, Role, User, user_groups
from max_dp_server.models.workspace import Workspace, WorkspaceMember, WorkspaceRole

__all__ = [
    "FlowVersion",
    "Group",
    "NodeRunRecord",
    "RefreshToken",
    "Role",
    "RunRecord",
    "StoredFlow",
    "User",
    "Workspace",
    "WorkspaceMember",
    "WorkspaceRole",
    "user_groups",
]
