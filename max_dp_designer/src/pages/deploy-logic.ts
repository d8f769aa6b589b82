// Plain helpers of the publish and schedule screens.
import type { FlowParameter } from '../lib/flow-document';

/** A valid endpoint name from a flow name: "Orders by Region!" -> "orders-by-region". */
export function endpointName(flowName: string): string {
  const slug = flowName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents off: "é" -> "e"
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, 63);
  return slug.length >= 2 ? slug : `flow-${slug || 'endpoint'}`.slice(0, 63);
}

/** `{"params": {...}}` with each parameter's default (or a placeholder of its type). */
export function exampleBody(parameters: readonly FlowParameter[] | undefined): { params: Record<string, unknown> } {
  const params: Record<string, unknown> = {};
  for (const p of parameters ?? []) {
    if (p.default !== undefined && p.default !== null) params[p.name] = p.default;
    else params[p.name] = PLACEHOLDERS[p.type] ?? '';
  }
  return { params };
}

const PLACEHOLDERS: Record<string, unknown> = {
  string: '',
  integer: 0,
  number: 0,
  boolean: false,
  date: '2026-01-01',
  list: [],
};

/** A curl command that calls the endpoint as its auth mode wants. */
export function curlExample(options: {
  origin: string;
  url: string;
  auth: string;
  body: unknown;
  apiKey?: string | null;
}): string {
  const lines = [`curl -X POST '${options.origin}${options.url}'`];
  if (options.auth === 'api_key') lines.push(`-H 'X-API-Key: ${options.apiKey ?? '$MAXDP_API_KEY'}'`);
  if (options.auth === 'jwt') lines.push(`-H "Authorization: Bearer $MAXDP_ACCESS_TOKEN"`);
  lines.push(`-H 'Content-Type: application/json'`);
  lines.push(`-d '${JSON.stringify(options.body).replace(/'/g, "'\\''")}'`);
  return lines.join(' \\\n  ');
}

/**
 * A fire time for people: the date and time in the schedule's zone, and how far away it is
 * ("Mon, 30 Nov 2026, 09:00 GMT+9 · in 3 days").
 */
export function describeFireTime(iso: string, timeZone: string, now: Date = new Date()): string {
  const when = new Date(iso);
  let text: string;
  try {
    text = new Intl.DateTimeFormat('en-GB', {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'short',
    }).format(when);
  } catch {
    text = when.toISOString();
  }
  return `${text} · ${relative(when.getTime() - now.getTime())}`;
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

function relative(ms: number): string {
  const fmt = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(ms) >= size || unit === 'minute') return fmt.format(Math.round(ms / size), unit);
  }
  return fmt.format(0, 'minute');
}

/** Time zones the browser knows, the user's own first. */
export function timeZones(): string[] {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set(['UTC', own, ...all])];
}

/** Common cron expressions to start from. */
export const CRON_PRESETS: Array<[label: string, cron: string]> = [
  ['every 15 minutes', '*/15 * * * *'],
  ['every hour', '0 * * * *'],
  ['every day at 06:00', '0 6 * * *'],
  ['weekdays at 09:00', '0 9 * * 1-5'],
  ['Mondays at 08:00', '0 8 * * 1'],
  ['the 1st of the month at 00:00', '0 0 1 * *'],
];
