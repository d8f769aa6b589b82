// Flow parameters (flows/model.py `Parameter`) as the designer edits them: fresh names, defaults
// typed from what the user writes, and the test values a run or preview sends.
import type { FlowParameter, ParameterType } from './flow-document';

export const PARAMETER_TYPES: readonly ParameterType[] = ['string', 'integer', 'number', 'boolean', 'date', 'list'];
/** Element types of a list (the server refuses lists of lists). */
export const ITEM_TYPES: readonly ParameterType[] = ['string', 'integer', 'number', 'boolean', 'date'];
/** The document's rule for parameter names. */
export const PARAMETER_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** `param1`, `param2` … : the first one not in `taken`. */
export function newParameterName(taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let i = 1; ; i++) {
    const name = `param${i}`;
    if (!used.has(name)) return name;
  }
}

/** A fresh string parameter with the server's defaults spelled out. */
export function newParameter(taken: Iterable<string>): FlowParameter {
  return { name: newParameterName(taken), type: 'string', required: false, default: null, description: '' };
}

/** Why `name` cannot name parameter `index` of `params`, or null. */
export function parameterNameProblem(params: readonly FlowParameter[], index: number, name: string): string | null {
  if (!PARAMETER_NAME_PATTERN.test(name)) return 'names start with a letter or _ and use letters, digits and _ (64 at most)';
  if (params.some((p, i) => i !== index && p.name === name)) return `parameter '${name}' is already declared`;
  return null;
}

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

const INTEGER = /^[+-]?\d+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** One value of `type` from text (trimmed, not empty); the error says what was expected. */
function parseScalar(type: ParameterType, text: string): Parsed {
  switch (type) {
    case 'integer':
      return INTEGER.test(text) ? { ok: true, value: Number(text) } : { ok: false, error: `expected an integer, got '${text}'` };
    case 'number': {
      const n = Number(text);
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, error: `expected a number, got '${text}'` };
    }
    case 'boolean': {
      const t = text.toLowerCase();
      if (t === 'true' || t === 'false') return { ok: true, value: t === 'true' };
      return { ok: false, error: `expected true or false, got '${text}'` };
    }
    case 'date':
      return isDate(text) ? { ok: true, value: text } : { ok: false, error: `expected a date as YYYY-MM-DD, got '${text}'` };
    default:
      return { ok: true, value: text };
  }
}

/**
 * The document value of a default typed as `text`: integer and number -> a JSON number, boolean
 * -> true/false, date -> "YYYY-MM-DD", list -> an array of `items` from comma-separated text,
 * empty -> null. An error names what does not fit.
 */
export function parseDefault(type: ParameterType, text: string, items?: ParameterType | null): Parsed {
  const trimmed = type === 'string' ? text : text.trim();
  if (trimmed === '') return { ok: true, value: null };
  if (type !== 'list') return parseScalar(type, trimmed);
  const parts = trimmed
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const values: unknown[] = [];
  for (const [i, part] of parts.entries()) {
    const one = parseScalar(items ?? 'string', part);
    if (!one.ok) return { ok: false, error: `item ${i + 1}: ${one.error}` };
    values.push(one.value);
  }
  return { ok: true, value: values };
}

/** A default as the text its input shows ("a, b" for a list; "" for none). */
export function formatDefault(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => formatDefault(v)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Parameter `param` with another type (and element type): the default converted, or cleared when it does not fit. */
export function retype(param: FlowParameter, type: ParameterType, items?: ParameterType | null): FlowParameter {
  const next: FlowParameter = { ...param, type };
  if (type === 'list') next.items = items ?? param.items ?? 'string';
  else delete next.items;
  const converted = parseDefault(type, formatDefault(param.default), next.items);
  next.default = converted.ok ? converted.value : null;
  return next;
}

/** The test values worth sending: declared parameters with a non-empty value. */
export function paramsToSend(params: readonly FlowParameter[] | undefined, values: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of params ?? []) {
    const v = values[p.name];
    if (v !== undefined && v.trim() !== '') out[p.name] = v;
  }
  return out;
}

/** `values` without the entries of parameters that are no longer declared (the same object when none go). */
export function keepDeclared<T>(values: Readonly<Record<string, T>>, params: readonly FlowParameter[] | undefined): Record<string, T> {
  const names = new Set((params ?? []).map((p) => p.name));
  const stale = Object.keys(values).filter((k) => !names.has(k));
  if (stale.length === 0) return values as Record<string, T>;
  const out = { ...values };
  for (const k of stale) delete out[k];
  return out;
}

/** The server's answer to renaming a parameter (POST /api/v1/flows/rename-parameter). */
export interface RenameAnswer {
  document: unknown;
  changed: readonly { node_id: string; field: string }[];
  skipped: readonly { node_id: string; field: string; reason?: string | null }[];
}

/** The configs of the nodes a rename rewrote, taken from the renamed document. */
export function renamedConfigs(answer: RenameAnswer): Record<string, Record<string, unknown>> {
  const changed = new Set(answer.changed.map((c) => c.node_id));
  const nodes = (answer.document as { nodes?: { id: string; config?: Record<string, unknown> }[] } | null)?.nodes ?? [];
  return Object.fromEntries(nodes.filter((n) => changed.has(n.id)).map((n) => [n.id, n.config ?? {}]));
}

/** What a rename did, in one line: the fields rewritten, and those left because they could not be read. */
export function renameSummary(old: string, next: string, answer: RenameAnswer): string {
  const where = (f: { node_id: string; field: string }) => `${f.node_id}.${f.field}`;
  const count = answer.changed.length;
  let text =
    count === 0
      ? `No node used ${old}.`
      : `Renamed ${old} to ${next} in ${count} ${count === 1 ? 'place' : 'places'}: ${answer.changed.map(where).join(', ')}.`;
  if (answer.skipped.length > 0) {
    const left = answer.skipped.map((s) => (s.reason ? `${where(s)} (${s.reason})` : where(s)));
    text += ` Left as they were, check them: ${left.join('; ')}.`;
  }
  return text;
}

/**
 * `values` keyed by the parameters' new names where `params` renamed one of `before` (same
 * place, new name), so a test value follows its parameter.
 */
export function followRenames<T>(
  values: Readonly<Record<string, T>>,
  before: readonly FlowParameter[] | undefined,
  params: readonly FlowParameter[] | undefined,
): Record<string, T> {
  if (!before || !params || before.length !== params.length) return values as Record<string, T>;
  let out = values as Record<string, T>;
  params.forEach((p, i) => {
    const old = before[i]!.name;
    if (old === p.name || !Object.hasOwn(out, old) || Object.hasOwn(out, p.name)) return;
    out = { ...out, [p.name]: out[old]! };
    delete out[old];
  });
  return out;
}
