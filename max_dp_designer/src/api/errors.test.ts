// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { ApiError, errorMessage, formErrors, toApiError } from './errors';

describe('errorMessage', () => {
  it('names each refused parameter', () => {
    const err = toApiError(422, {
      error: {
        code: 'invalid_parameters',
        message: "params: limit: expected an integer, got 'x'; day: required",
        details: [
          { field: 'limit', message: "expected an integer, got 'x'" },
          { field: 'day', message: 'required' },
        ],
      },
    });
    expect(err.parameterProblems).toEqual([
      { field: 'limit', message: "expected an integer, got 'x'" },
      { field: 'day', message: 'required' },
    ]);
    expect(err.problems).toEqual([]);
    expect(errorMessage(err)).toBe("params: limit: expected an integer, got 'x'; day: required"); // the server's words
    const terse = new ApiError(422, 'invalid_parameters', 'bad parameters', err.details);
    expect(errorMessage(terse)).toBe("limit: expected an integer, got 'x'; day: required");
  });

  it('keeps the server message for other errors', () => {
    const err = new ApiError(422, 'invalid_flow', 'the flow has 1 problem', [{ field: 'x', message: 'y' }]);
    expect(err.parameterProblems).toEqual([]);
    expect(errorMessage(err)).toBe('the flow has 1 problem');
    expect(errorMessage(new ApiError(422, 'invalid_parameters', 'n: required'))).toBe('n: required');
  });
});

describe('formErrors', () => {
  const fields = ['name', 'cron', 'timezone', 'params', 'port', 'options', 'database'];

  it('puts validation details under their body field', () => {
    const err = toApiError(422, {
      error: {
        code: 'validation_error',
        message: 'body.port: Input should be less than or equal to 65535; body.extra: unknown field',
        details: [
          { field: 'body.port', message: 'Input should be less than or equal to 65535', type: 'less_than_equal' },
          { field: 'body.extra', message: 'unknown field; remove it (check its spelling)', type: 'extra_forbidden' },
        ],
      },
    });
    expect(formErrors(err, fields)).toEqual({
      fields: { port: 'port: Input should be less than or equal to 65535' },
      other: 'extra: unknown field; remove it (check its spelling)',
    });
  });

  it('reads details.field (cron, time zone), parameters, duplicate names and connection problems', () => {
    const cron = toApiError(422, {
      error: { code: 'invalid_cron', message: "cron: '61' is not a valid minute", details: { field: 'cron', part: 'minute' } },
    });
    expect(formErrors(cron, fields)).toEqual({ fields: { cron: "cron: '61' is not a valid minute" }, other: null });
    const params = new ApiError(422, 'invalid_parameters', "params: limit: expected an integer, got 'x'", [
      { field: 'limit', message: "expected an integer, got 'x'" },
    ]);
    expect(formErrors(params, fields).fields).toEqual({ params: "params: limit: expected an integer, got 'x'" });
    const duplicate = new ApiError(409, 'duplicate_name', "a connection named 'dw' already exists in this workspace");
    expect(formErrors(duplicate, fields).fields).toEqual({ name: "name: a connection named 'dw' already exists in this workspace" });
    const invalid = new ApiError(422, 'invalid_connection', 'options.sslmode: bad; host or url is required', {
      problems: ['options.sslmode: bad', 'host or url is required'],
    });
    expect(formErrors(invalid, fields)).toEqual({ fields: { options: 'options.sslmode: bad' }, other: 'host or url is required' });
    const sqlite = new ApiError(422, 'invalid_connection', "connection 'shop': database: a sqlite file must be inside the server's data directory");
    expect(formErrors(sqlite, fields).fields).toEqual({ database: "database: a sqlite file must be inside the server's data directory" });
  });

  it('keeps what names no field of the form', () => {
    expect(formErrors(new ApiError(403, 'forbidden', 'editors only'), fields)).toEqual({ fields: {}, other: 'editors only' });
    expect(formErrors(new Error('params: Unexpected token'), fields)).toEqual({ fields: { params: 'params: Unexpected token' }, other: null });
  });
});
