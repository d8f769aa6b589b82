// The server's one error shape: {"error": {"code", "message", "details"}} (docs/api.md).
import type { Problem } from '../lib/graph-utils';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** One refused run parameter of a `422 invalid_parameters` answer (flows/params.py). */
export interface ParameterProblem {
  field: string;
  message: string;
}

function isParameterProblem(value: unknown): value is ParameterProblem {
  const p = value as ParameterProblem | null;
  return typeof p === 'object' && p !== null && typeof p.field === 'string' && typeof p.message === 'string';
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The flow problems of a `422 invalid_flow` answer; empty for every other error. */
  get problems(): Problem[] {
    if (this.code !== 'invalid_flow' || !Array.isArray(this.details)) return [];
    return this.details as Problem[];
  }

  /** The refused parameters of a `422 invalid_parameters` answer; empty for every other error. */
  get parameterProblems(): ParameterProblem[] {
    if (this.code !== 'invalid_parameters' || !Array.isArray(this.details)) return [];
    return this.details.filter(isParameterProblem);
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  const error = (body as ErrorBody | null)?.error;
  return typeof error === 'object' && error !== null && typeof error.message === 'string';
}

/** An ApiError from a failed answer's body (parsed JSON, or whatever came back). */
export function toApiError(status: number, body: unknown, fallback = 'request failed'): ApiError {
  if (isErrorBody(body)) return new ApiError(status, body.error.code, body.error.message, body.error.details);
  const text = typeof body === 'string' && body ? body.slice(0, 200) : `${fallback} (HTTP ${status})`;
  return new ApiError(status, status === 0 ? 'network_error' : 'http_error', text);
}

/** The data of an openapi-fetch answer, or throws its error as an ApiError. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok) return result.data as T;
  throw toApiError(result.response.status, result.error);
}

/** A message fit for the screen from anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    // Refused parameters belong to no node: the message names each one ("limit: expected an
    // integer, got 'x'"), as the server's does; built from the details when it does not.
    const named = err.parameterProblems.map((p) => `${p.field}: ${p.message}`);
    return named.every((n) => err.message.includes(n)) ? err.message : named.join('; ');
  }
  if (err instanceof Error) return err.name === 'TypeError' ? `cannot reach the server (${err.message})` : err.message;
  return String(err);
}

/** A refused form: the server's message for each field it names, and what names no field. */
export interface FormErrors {
  fields: Record<string, string>;
  other: string | null;
}

/**
 * Sorts a refusal into the form's `fields` (body keys: `cron`, `port` …) as the server names
 * them: `validation_error` details (`body.port`), `details.field` (invalid_cron,
 * invalid_timezone), `details.problems` (invalid_connection: `port: …`), invalid_parameters
 * (the `params` field), duplicate_name (`name`), or a message that starts with a field's name.
 * Every message names its field ("cron: …").
 */
export function formErrors(err: unknown, fields: readonly string[]): FormErrors {
  const known = new Set(fields);
  const out: Record<string, string> = {};
  const rest: string[] = [];
  const add = (field: string, message: string) => {
    const text = new RegExp(`^${field}[.:]`).test(message) ? message : `${field}: ${message}`;
    out[field] = out[field] ? `${out[field]}; ${text}` : text;
  };
  /** `field: message` (after an optional "connection 'x': ") when field is the form's. */
  const named = (message: string): string | null => {
    const m = /^(?:connection '[^']*': )?([A-Za-z_]+)(?:\.[^:\s]*)?: /.exec(message);
    return m && known.has(m[1]!) ? m[1]! : null;
  };
  if (!(err instanceof ApiError)) {
    // Checked in the browser before sending (a JSON text that does not parse: "params: …").
    const message = errorMessage(err);
    const field = named(message);
    return field ? { fields: { [field]: message }, other: null } : { fields: {}, other: message };
  }
  const details = err.details as Record<string, unknown> | unknown[] | null | undefined;

  if (err.code === 'validation_error' && Array.isArray(details)) {
    for (const d of details as Array<{ field?: unknown; message?: unknown }>) {
      const path = String(d.field ?? '').replace(/^body\.?/, '');
      const field = path.split('.')[0] ?? '';
      const message = String(d.message ?? 'invalid value');
      if (known.has(field)) add(field, path === field ? message : `${path}: ${message}`);
      else rest.push(path ? `${path}: ${message}` : message);
    }
  } else if (details && !Array.isArray(details) && typeof details.field === 'string' && known.has(details.field)) {
    add(details.field, err.message);
  } else if (err.code === 'invalid_parameters' && known.has('params')) {
    add('params', err.message);
  } else if (err.code === 'duplicate_name' && known.has('name')) {
    add('name', err.message);
  } else if (details && !Array.isArray(details) && Array.isArray(details.problems)) {
    for (const problem of details.problems as unknown[]) {
      const text = String(problem);
      const field = named(text);
      if (field) add(field, text.replace(/^connection '[^']*': /, ''));
      else rest.push(text);
    }
  } else {
    const field = named(err.message);
    if (field) add(field, err.message.replace(/^connection '[^']*': /, ''));
    else rest.push(errorMessage(err));
  }
  return { fields: out, other: rest.length ? rest.join('; ') : null };
}
