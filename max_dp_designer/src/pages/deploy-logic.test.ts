// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { curlExample, describeFireTime, endpointName, exampleBody } from './deploy-logic';

describe('endpointName', () => {
  it('makes a valid endpoint name of a flow name', () => {
    expect(endpointName('Orders by Region!')).toBe('orders-by-region');
    expect(endpointName('orders_by_region')).toBe('orders_by_region');
    expect(endpointName('x')).toBe('flow-x');
    expect(endpointName('Ünïcode Flow')).toBe('unicode-flow');
    expect(endpointName('a'.repeat(80))).toHaveLength(63);
  });
});

describe('exampleBody', () => {
  it('fills each parameter with its default or a placeholder of its type', () => {
    expect(
      exampleBody([
        { name: 'region', type: 'string', default: 'KR' },
        { name: 'limit', type: 'integer' },
        { name: 'tags', type: 'list' },
      ]),
    ).toEqual({ params: { region: 'KR', limit: 0, tags: [] } });
    expect(exampleBody(undefined)).toEqual({ params: {} });
  });
});

describe('curlExample', () => {
  const base = { origin: 'http://127.0.0.1:8001', url: '/execute/orders', body: { params: { q: "it's" } } };
  it('sends the API key header for api_key endpoints, quoting the body for the shell', () => {
    expect(curlExample({ ...base, auth: 'api_key', apiKey: 'mdp_abc' })).toBe(
      [
        "curl -X POST 'http://127.0.0.1:8001/execute/orders'",
        "-H 'X-API-Key: mdp_abc'",
        "-H 'Content-Type: application/json'",
        `-d '{"params":{"q":"it'\\''s"}}'`,
      ].join(' \\\n  '),
    );
  });
  it('uses a placeholder without a key, a bearer token for jwt, nothing for public', () => {
    expect(curlExample({ ...base, auth: 'api_key' })).toContain("X-API-Key: $MAXDP_API_KEY");
    expect(curlExample({ ...base, auth: 'jwt' })).toContain('Authorization: Bearer $MAXDP_ACCESS_TOKEN');
    const open = curlExample({ ...base, auth: 'public' });
    expect(open).not.toContain('X-API-Key');
    expect(open).not.toContain('Authorization');
  });
});

describe('describeFireTime', () => {
  it('shows the time in the schedule zone and how far away it is', () => {
    const now = new Date('2026-11-27T00:00:00Z');
    expect(describeFireTime('2026-11-30T09:00:00+09:00', 'Asia/Seoul', now)).toBe('Mon, 30 Nov 2026, 09:00 GMT+9 · in 3 days');
    expect(describeFireTime('2026-11-27T02:00:00Z', 'UTC', now)).toBe('Fri, 27 Nov 2026, 02:00 UTC · in 2 hours');
    expect(describeFireTime('2026-11-27T00:15:00Z', 'UTC', now)).toMatch(/in 15 minutes$/);
  });
});
