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
