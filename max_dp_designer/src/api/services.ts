// One function per API call the screens make, typed by the generated schema; errors are thrown
// as ApiError (see errors.ts).
import type { Catalog } from '../lib/catalog';
import type { FlowDocument } from '../lib/flow-document';
import type { Problem } from '../lib/graph-utils';
import { api, session, type Schemas } from './client';
import type { paths } from './schema';
import { toApiError, unwrap } from './errors';
import { readSse } from './sse';

export type Workspace = Schemas['WorkspaceRead'];
export type FlowSummary = Schemas['FlowSummary'];
export type FlowRead = Schemas['FlowRead'];
export type VersionSummary = Schemas['VersionSummary'];
export type VersionRead = Schemas['VersionRead'];
export type FlowDiff = Schemas['FlowDiff'];
export type ParameterRenameResult = Schemas['ParameterRenameResult'];
export type RunSummary = Schemas['RunSummary'];
export type RunRead = Schemas['RunRead'];
export type NodeRunRead = Schemas['NodeRunRead'];
/** The JSON of a 2xx answer of `method` on `path` (schema names can collide; paths cannot). */
type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { 'application/json': infer T } } }
    ? T
    : R extends { 201: { content: { 'application/json': infer T } } }
      ? T
      : never
  : never;

export type PreviewResult = Answer<'/api/v1/flows/{flow_id}/preview', 'post'>;
export type NodePreview = Schemas['NodePreview'];
export type Endpoint = Schemas['EndpointRead'];
export type PublishRequest = Schemas['PublishRequest'];
export type ApiKey = Schemas['ApiKeyRead'];
export type ApiKeyCreated = Schemas['ApiKeyCreated'];
export type Schedule = Schemas['ScheduleRead'];
export type ScheduleCreate = Schemas['ScheduleCreate'];
export type ScheduleUpdate = Schemas['ScheduleUpdate'];
export type SchedulePreview = Answer<'/api/v1/schedules/preview', 'post'>;
export type Fire = Schemas['FireRead'];
export type Connection = Schemas['ConnectionRead'];
export type ConnectionCreate = Schemas['ConnectionCreate'];
export type ConnectionUpdate = Schemas['ConnectionUpdate'];
export type ConnectionTest = Schemas['ConnectionTest'];
export type TableList = Schemas['TableList'];
export type ColumnList = Schemas['ColumnList'];
export type User = Schemas['UserRead'];
export type WorkspaceRole = Schemas['WorkspaceRole'];
export type Member = Schemas['MemberRead'];
export type MemberWrite = Schemas['MemberWrite'];
export type Group = Schemas['GroupRead'];
export type Page<T> = { items: T[]; total: number; limit: number; offset: number };

const doc = (d: FlowDocument) => d as unknown as Record<string, unknown>;

export async function me(): Promise<User> {
  return unwrap(await api.GET('/api/v1/users/me'));
}

export async function listWorkspaces(q?: string): Promise<Page<Workspace>> {
  return unwrap(await api.GET('/api/v1/workspaces', { params: { query: { q: q || undefined, limit: 500 } } }));
}

export async function createWorkspace(name: string, description = ''): Promise<Workspace> {
  return unwrap(await api.POST('/api/v1/workspaces', { body: { name, description } }));
}

export async function getWorkspace(workspaceId: string): Promise<Workspace> {
  return unwrap(await api.GET('/api/v1/workspaces/{workspace_id}', { params: { path: { workspace_id: workspaceId } } }));
}

// ---- Members ----

/** The workspace's members, users and groups, oldest first (any role may read them). */
export async function listMembers(workspaceId: string): Promise<Member[]> {
  return unwrap(await api.GET('/api/v1/workspaces/{workspace_id}/members', { params: { path: { workspace_id: workspaceId } } }));
}

/** Adds a member, or changes the role of one that is already (admin). */
export async function putMember(workspaceId: string, body: MemberWrite): Promise<Member> {
  return unwrap(await api.PUT('/api/v1/workspaces/{workspace_id}/members', { params: { path: { workspace_id: workspaceId } }, body }));
}

export async function removeMember(workspaceId: string, memberId: string): Promise<void> {
  unwrap(
    await api.DELETE('/api/v1/workspaces/{workspace_id}/members/{member_id}', {
      params: { path: { workspace_id: workspaceId, member_id: memberId } },
    }),
  );
}

/** Every group (server admins only). */
export async function listGroups(): Promise<Page<Group>> {
  return unwrap(await api.GET('/api/v1/groups', { params: { query: { limit: 500 } } }));
}

export async function listFlows(workspaceId: string, q?: string): Promise<Page<FlowSummary>> {
  return unwrap(
    await api.GET('/api/v1/flows', { params: { query: { workspace_id: workspaceId, q: q || undefined, limit: 500 } } }),
  );
}

export async function createFlow(workspaceId: string, document: FlowDocument): Promise<FlowRead> {
  return unwrap(await api.POST('/api/v1/flows', { body: { workspace_id: workspaceId, document: doc(document) } }));
}

export async function importFlow(workspaceId: string, document: FlowDocument): Promise<FlowRead> {
  return unwrap(
    await api.POST('/api/v1/flows/import', { params: { query: { workspace_id: workspaceId } }, body: doc(document) }),
  );
}

export async function getFlow(flowId: string): Promise<FlowRead> {
  return unwrap(await api.GET('/api/v1/flows/{flow_id}', { params: { path: { flow_id: flowId } } }));
}

export async function saveFlow(flowId: string, document: FlowDocument): Promise<FlowRead> {
  return unwrap(await api.PUT('/api/v1/flows/{flow_id}', { params: { path: { flow_id: flowId } }, body: { document: doc(document) } }));
}

export async function deleteFlow(flowId: string): Promise<void> {
  unwrap(await api.DELETE('/api/v1/flows/{flow_id}', { params: { path: { flow_id: flowId } } }));
}

/** The exported document as the server sends the attachment. */
export async function exportFlow(flowId: string): Promise<{ text: string; filename: string }> {
  const { response } = await api.GET('/api/v1/flows/{flow_id}/export', {
    params: { path: { flow_id: flowId } },
    parseAs: 'stream',
  });
  const text = await response.text();
  if (!response.ok) throw toApiError(response.status, safeJson(text));
  const match = /filename="?([^";]+)"?/.exec(response.headers.get('Content-Disposition') ?? '');
  return { text, filename: match?.[1] ?? 'flow.json' };
}

export async function validateDocument(document: FlowDocument): Promise<{ valid: boolean; problems: Problem[] }> {
  const result = unwrap(await api.POST('/api/v1/flows/validate', { body: doc(document) }));
  return { valid: result.valid, problems: result.problems as unknown as Problem[] };
}

/** The document with parameter `old` named `next` in its declaration and wherever a node uses it. */
export async function renameParameter(document: FlowDocument, old: string, next: string): Promise<ParameterRenameResult> {
  return unwrap(await api.POST('/api/v1/flows/rename-parameter', { body: { document: doc(document), old, new: next } }));
}

export async function listVersions(flowId: string): Promise<Page<VersionSummary>> {
  return unwrap(
    await api.GET('/api/v1/flows/{flow_id}/versions', { params: { path: { flow_id: flowId }, query: { limit: 500 } } }),
  );
}

export async function saveVersion(flowId: string, comment: string): Promise<VersionSummary> {
  return unwrap(await api.POST('/api/v1/flows/{flow_id}/versions', { params: { path: { flow_id: flowId } }, body: { comment } }));
}

export async function restoreVersion(flowId: string, version: number): Promise<FlowRead> {
  return unwrap(
    await api.POST('/api/v1/flows/{flow_id}/versions/{version}/restore', { params: { path: { flow_id: flowId, version } } }),
  );
}

export async function getVersion(flowId: string, version: number): Promise<VersionRead> {
  return unwrap(await api.GET('/api/v1/flows/{flow_id}/versions/{version}', { params: { path: { flow_id: flowId, version } } }));
}

/** What changed from version `from` to version `to`, or to the flow's current (saved) document. */
export async function diffVersions(flowId: string, from: number, to: number | null = null): Promise<FlowDiff> {
  return unwrap(
    await api.GET('/api/v1/flows/{flow_id}/diff', {
      params: { path: { flow_id: flowId }, query: { from_version: from, to_version: to ?? undefined } },
    }),
  );
}

/** What changed from version `from` to `document` (the one being edited, saved or not). */
export async function diffDraft(flowId: string, from: number, document: FlowDocument): Promise<FlowDiff> {
  return unwrap(
    await api.POST('/api/v1/flows/{flow_id}/diff', {
      params: { path: { flow_id: flowId } },
      body: { from_version: from, document: doc(document) },
    }),
  );
}

export async function preview(
  flowId: string,
  body: { node_id: string; document: FlowDocument; row_limit?: number; sample_sources?: boolean; params?: Record<string, unknown> },
  signal?: AbortSignal,
): Promise<PreviewResult> {
  return unwrap(
    await api.POST('/api/v1/flows/{flow_id}/preview', {
      params: { path: { flow_id: flowId } },
      body: { row_limit: 100, sample_sources: false, ...body, document: doc(body.document) },
      signal,
    }),
  );
}

export async function startRun(flowId: string, params: Record<string, unknown> = {}): Promise<string> {
  const result = unwrap(
    await api.POST('/api/v1/flows/{flow_id}/run', {
      params: { path: { flow_id: flowId }, query: { background: true } },
      body: { params },
    }),
  ) as unknown as { run_id: string };
  return result.run_id;
}

export async function listRuns(query: { workspace_id?: string; flow_id?: string; status?: string; limit?: number; offset?: number }) {
  return unwrap(await api.GET('/api/v1/runs', { params: { query: query as never } })) as Page<RunSummary>;
}

export async function getRun(runId: string): Promise<RunRead> {
  return unwrap(await api.GET('/api/v1/runs/{run_id}', { params: { path: { run_id: runId } } }));
}

export async function cancelRun(runId: string): Promise<void> {
  unwrap(await api.POST('/api/v1/runs/{run_id}/cancel', { params: { path: { run_id: runId } } }));
}

/** Streams a run's events (SSE) until run_finished, the end of the stream, or abort. */
export async function streamRunEvents(runId: string, onEvent: (event: unknown) => void, signal?: AbortSignal): Promise<void> {
  const url = new URL(`/api/v1/runs/${encodeURIComponent(runId)}/events`, globalThis.location.origin);
  const res = await session.fetch(new Request(url, { headers: { Accept: 'text/event-stream' }, signal }));
  if (!res.ok) throw toApiError(res.status, safeJson(await res.text()));
  await readSse(res, (m) => onEvent(JSON.parse(m.data)), signal);
}

// ---- Publishing and API keys ----

export async function listFlowEndpoints(flowId: string): Promise<Endpoint[]> {
  return unwrap(await api.GET('/api/v1/flows/{flow_id}/publish', { params: { path: { flow_id: flowId } } }));
}

export async function publish(flowId: string, body: PublishRequest): Promise<Endpoint> {
  return unwrap(await api.POST('/api/v1/flows/{flow_id}/publish', { params: { path: { flow_id: flowId } }, body }));
}

export async function unpublish(flowId: string, endpoint: string): Promise<void> {
  unwrap(await api.DELETE('/api/v1/flows/{flow_id}/publish', { params: { path: { flow_id: flowId }, query: { endpoint } } }));
}

export async function listApiKeys(workspaceId: string, revoked = false): Promise<Page<ApiKey>> {
  return unwrap(
    await api.GET('/api/v1/workspaces/{workspace_id}/api-keys', {
      params: { path: { workspace_id: workspaceId }, query: { revoked, limit: 500 } },
    }),
  );
}

export async function createApiKey(workspaceId: string, name: string, endpoints: string[] | null): Promise<ApiKeyCreated> {
  return unwrap(
    await api.POST('/api/v1/workspaces/{workspace_id}/api-keys', {
      params: { path: { workspace_id: workspaceId } },
      body: { name, endpoints, scopes: ['execute'] },
    }),
  );
}

export async function revokeApiKey(workspaceId: string, keyId: string): Promise<void> {
  unwrap(
    await api.DELETE('/api/v1/workspaces/{workspace_id}/api-keys/{key_id}', {
      params: { path: { workspace_id: workspaceId, key_id: keyId } },
    }),
  );
}

/** Calls a published endpoint as an outside caller would (no session token; the given key). */
export async function callEndpoint(url: string, body: unknown, apiKey?: string): Promise<{ status: number; text: string; ms: number }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (apiKey) headers['X-API-Key'] = apiKey;
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text(), ms: performance.now() - t0 };
}

// ---- Schedules ----

export async function listFlowSchedules(flowId: string): Promise<Page<Schedule>> {
  return unwrap(
    await api.GET('/api/v1/flows/{flow_id}/schedules', { params: { path: { flow_id: flowId }, query: { limit: 500 } } }),
  );
}

export async function createSchedule(flowId: string, body: ScheduleCreate): Promise<Schedule> {
  return unwrap(await api.POST('/api/v1/flows/{flow_id}/schedules', { params: { path: { flow_id: flowId } }, body }));
}

export async function updateSchedule(id: string, body: ScheduleUpdate): Promise<Schedule> {
  return unwrap(await api.PATCH('/api/v1/schedules/{schedule_id}', { params: { path: { schedule_id: id } }, body }));
}

export async function deleteSchedule(id: string): Promise<void> {
  unwrap(await api.DELETE('/api/v1/schedules/{schedule_id}', { params: { path: { schedule_id: id } } }));
}

export async function previewSchedule(cron: string, timezone: string, count = 5, signal?: AbortSignal): Promise<SchedulePreview> {
  return unwrap(await api.POST('/api/v1/schedules/preview', { body: { cron, timezone, count }, signal }));
}

export async function listFires(id: string): Promise<Page<Fire>> {
  return unwrap(
    await api.GET('/api/v1/schedules/{schedule_id}/fires', { params: { path: { schedule_id: id }, query: { limit: 20 } } }),
  );
}

// ---- Connections ----

export async function listConnections(workspaceId: string): Promise<Page<Connection>> {
  return unwrap(
    await api.GET('/api/v1/workspaces/{workspace_id}/connections', {
      params: { path: { workspace_id: workspaceId }, query: { limit: 500 } },
    }),
  );
}

export async function createConnection(workspaceId: string, body: ConnectionCreate): Promise<Connection> {
  return unwrap(
    await api.POST('/api/v1/workspaces/{workspace_id}/connections', { params: { path: { workspace_id: workspaceId } }, body }),
  );
}

/** Only the fields in `body` change; a secret sent as null is removed. */
export async function updateConnection(id: string, body: ConnectionUpdate): Promise<Connection> {
  return unwrap(await api.PATCH('/api/v1/connections/{connection_id}', { params: { path: { connection_id: id } }, body }));
}

export async function deleteConnection(id: string): Promise<void> {
  unwrap(await api.DELETE('/api/v1/connections/{connection_id}', { params: { path: { connection_id: id } } }));
}

export async function testConnection(id: string): Promise<ConnectionTest> {
  return unwrap(await api.POST('/api/v1/connections/{connection_id}/test', { params: { path: { connection_id: id } } }));
}

export async function listTables(id: string, schema?: string): Promise<TableList> {
  return unwrap(
    await api.GET('/api/v1/connections/{connection_id}/tables', { params: { path: { connection_id: id }, query: { schema } } }),
  );
}

export async function listColumns(id: string, table: string, schema?: string | null): Promise<ColumnList> {
  return unwrap(
    await api.GET('/api/v1/connections/{connection_id}/tables/{table}/columns', {
      params: { path: { connection_id: id, table }, query: { schema: schema ?? undefined } },
    }),
  );
}

let catalogPromise: Promise<Catalog> | null = null;

/** GET /api/v1/nodes, fetched once per page load. */
export function fetchCatalog(): Promise<Catalog> {
  catalogPromise ??= api.GET('/api/v1/nodes').then((r) => unwrap(r) as unknown as Catalog);
  catalogPromise.catch(() => (catalogPromise = null));
  return catalogPromise;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
