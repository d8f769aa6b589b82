// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { connectionFixture as connection, scheduleFixture as schedule } from '../test/fixtures';
import { connectionChanges, connectionValues, sameJson, scheduleChanges, scheduleValues } from './edit-logic';

describe('scheduleChanges', () => {
  it('sends nothing when nothing changed (key order and cron spacing aside)', () => {
    const v = scheduleValues(schedule);
    expect(v).toMatchObject({ version: '2', enabled: true, misfire_policy: 'skip' });
    expect(JSON.parse(v.params)).toEqual({ region: 'KR', limit: 5 });
    expect(scheduleChanges(schedule, { ...v, params: '{"limit": 5, "region": "KR"}', cron: ' 0  9 * * 1-5 ' })).toEqual({});
  });

  it('sends only the changed fields; the latest version is version: null', () => {
    const v = scheduleValues(schedule);
    expect(scheduleChanges(schedule, { ...v, cron: '30 7 * * *', version: '', enabled: false })).toEqual({
      cron: '30 7 * * *',
      version: null,
      enabled: false,
    });
    expect(scheduleChanges(schedule, { ...v, params: '{"region": "US"}', misfire_policy: 'run_once', name: ' daily ' })).toEqual({
      params: { region: 'US' },
      misfire_policy: 'run_once',
      name: 'daily',
    });
  });

  it('refuses parameters that are not a JSON object, naming the field', () => {
    const v = scheduleValues(schedule);
    expect(() => scheduleChanges(schedule, { ...v, params: '{region' })).toThrow(/^params: /);
    expect(() => scheduleChanges(schedule, { ...v, params: '[1]' })).toThrow('params: expected a JSON object');
  });
});

describe('connectionChanges', () => {
  it('prefills from the answer; secrets start empty', () => {
    const v = connectionValues(connection);
    expect(v).toMatchObject({ name: 'warehouse', host: 'db.internal', port: '5432', statement_timeout_s: '30', read_only: true });
    expect(v.password).toEqual({ value: '', clear: false });
    expect(connectionChanges(connection, v)).toEqual({});
  });

  it('sends only changed fields and never an untyped secret', () => {
    const v = connectionValues(connection);
    const body = connectionChanges(connection, { ...v, name: 'dw', port: '6432', options: '{"sslmode": "disable"}', user: '' });
    expect(body).toEqual({ name: 'dw', port: 6432, options: { sslmode: 'disable' }, user: null });
    expect('password' in body || 'url' in body || 'headers' in body).toBe(false);
  });

  it('sends a typed secret, null for a cleared one, and headers as a whole', () => {
    const v = connectionValues(connection);
    expect(connectionChanges(connection, { ...v, password: { value: 's3cret', clear: false } })).toEqual({ password: 's3cret' });
    expect(connectionChanges(connection, { ...v, password: { value: '', clear: true } })).toEqual({ password: null });
    const http = { ...connection, kind: 'http', has_password: false, header_names: ['Authorization'] };
    const h = connectionValues(http);
    expect(
      connectionChanges(http, {
        ...h,
        headers: { rows: [{ name: 'X-Token', value: 't' }, { name: ' ', value: 'ignored' }], clear: false },
      }),
    ).toEqual({ headers: { 'X-Token': 't' } });
    expect(connectionChanges(http, { ...h, headers: { rows: [], clear: true } })).toEqual({ headers: null });
  });
});

describe('sameJson', () => {
  it('ignores key order, not values', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  });
});
