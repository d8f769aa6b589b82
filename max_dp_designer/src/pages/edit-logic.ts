// Editing schedules and connections in place: the form's values from what the server sent, and
// the PATCH body holding only what the user changed. Plain TypeScript, no React.
import type { Connection, ConnectionUpdate, Schedule, ScheduleUpdate } from '../api/services';

/** JSON with object keys sorted: equal for equal values, whatever the key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

/** A JSON object typed into a text area; `{}` when empty. Throws with the parser's reason. */
export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() || '{}');
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what}: expected a JSON object`);
  return value as Record<string, unknown>;
}

// ---- Schedules ----

export type MisfirePolicy = Schedule['misfire_policy'];

/** The schedule form, as typed. `version` '' runs the latest saved version. */
export interface ScheduleValues {
  name: string;
  cron: string;
  timezone: string;
  version: string;
  params: string;
  enabled: boolean;
  misfire_policy: MisfirePolicy;
}

export const SCHEDULE_FIELDS = ['name', 'cron', 'timezone', 'version', 'params', 'enabled', 'misfire_policy'] as const;

export function scheduleValues(s: Schedule): ScheduleValues {
  return {
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    version: s.version == null ? '' : String(s.version),
    params: Object.keys(s.params).length ? JSON.stringify(s.params, null, 2) : '{}',
    enabled: s.enabled,
    misfire_policy: s.misfire_policy,
  };
}

/** Cron fields as the server stores them: one space between fields. */
const normalCron = (cron: string) => cron.trim().split(/\s+/).join(' ');

/**
 * The PATCH body: only the fields that differ from `original`. `version: null` unpins (runs the
 * latest saved version). Throws (naming `params`) when the parameters are not a JSON object.
 */
export function scheduleChanges(original: Schedule, v: ScheduleValues): ScheduleUpdate {
  const body: ScheduleUpdate = {};
  if (v.name.trim() !== original.name) body.name = v.name.trim();
  if (normalCron(v.cron) !== normalCron(original.cron)) body.cron = v.cron.trim();
  if (v.timezone.trim() !== original.timezone) body.timezone = v.timezone.trim();
  const version = v.version === '' ? null : Number(v.version);
  if (version !== (original.version ?? null)) body.version = version;
  const params = parseJsonObject(v.params, 'params');
  if (!sameJson(params, original.params)) body.params = params;
  if (v.enabled !== original.enabled) body.enabled = v.enabled;
  if (v.misfire_policy !== original.misfire_policy) body.misfire_policy = v.misfire_policy;
  return body;
}

// ---- Connections ----

/** A write-only secret: kept as it is, replaced by what was typed, or removed. */
export interface SecretEdit {
  value: string;
  clear: boolean;
}

export const keepSecret = (): SecretEdit => ({ value: '', clear: false });

/** The connection form, as typed. Secrets start empty: the server never sends them. */
export interface ConnectionValues {
  name: string;
  description: string;
  host: string;
  port: string;
  user: string;
  database: string;
  options: string;
  read_only: boolean;
  statement_timeout_s: string;
  url: SecretEdit;
  password: SecretEdit;
  /** Header rows typed to replace the stored headers as a whole; empty rows are ignored. */
  headers: { rows: Array<{ name: string; value: string }>; clear: boolean };
}

export const CONNECTION_FIELDS = [
  'name',
  'description',
  'host',
  'port',
  'user',
  'database',
  'options',
  'read_only',
  'statement_timeout_s',
  'url',
  'password',
  'headers',
] as const;

export function connectionValues(c: Connection): ConnectionValues {
  return {
    name: c.name,
    description: c.description,
    host: c.host ?? '',
    port: c.port == null ? '' : String(c.port),
    user: c.user ?? '',
    database: c.database ?? '',
    options: Object.keys(c.options).length ? JSON.stringify(c.options, null, 2) : '{}',
    read_only: c.read_only,
    statement_timeout_s: String(c.statement_timeout_s),
    url: keepSecret(),
    password: keepSecret(),
    headers: { rows: [], clear: false },
  };
}

const orNull = (text: string) => (text.trim() ? text.trim() : null);

/** What a secret edit sends: the typed value, null to remove it, or nothing (undefined). */
function secretChange(edit: SecretEdit): string | null | undefined {
  if (edit.value) return edit.value;
  return edit.clear ? null : undefined;
}

/**
 * The PATCH body: only the fields that differ from `original`. Secrets go only when typed (or
 * removed with "clear"); headers replace the stored ones as a whole. Throws (naming `options`)
 * when the options are not a JSON object.
 */
export function connectionChanges(original: Connection, v: ConnectionValues): ConnectionUpdate {
  const body: ConnectionUpdate = {};
  if (v.name.trim() !== original.name) body.name = v.name.trim();
  if (v.description !== original.description) body.description = v.description;
  if (orNull(v.host) !== original.host) body.host = orNull(v.host);
  const port = v.port.trim() === '' ? null : Number(v.port);
  if (port !== original.port) body.port = port;
  if (orNull(v.user) !== original.user) body.user = orNull(v.user);
  if (orNull(v.database) !== original.database) body.database = orNull(v.database);
  const options = parseJsonObject(v.options, 'options');
  if (!sameJson(options, original.options)) body.options = options;
  if (v.read_only !== original.read_only) body.read_only = v.read_only;
  const timeout = Number(v.statement_timeout_s);
  if (v.statement_timeout_s.trim() !== '' && timeout !== original.statement_timeout_s) body.statement_timeout_s = timeout;
  const url = secretChange(v.url);
  if (url !== undefined) body.url = url;
  const password = secretChange(v.password);
  if (password !== undefined) body.password = password;
  const rows = v.headers.rows.filter((r) => r.name.trim());
  if (rows.length) body.headers = Object.fromEntries(rows.map((r) => [r.name.trim(), r.value]));
  else if (v.headers.clear) body.headers = null;
  return body;
}
