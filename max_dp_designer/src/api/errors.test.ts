// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { ApiError, errorMessage, toApiError } from './errors';

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
