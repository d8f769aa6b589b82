import catalogJson from './fixtures/catalog.json';
import type { Connection, Schedule } from '../api/services';
import type { Catalog } from '../lib/catalog';
import type { FlowDocument } from '../lib/flow-document';

export const catalog = catalogJson as unknown as Catalog;

/** ARCHITECTURE.md's example flow: static_data -> filter_rows -> display_results. */
export function exampleDocument(): FlowDocument {
  return {
    schema_version: 1,
    name: 'orders-by-region',
    description: 'Totals per region',
    parameters: [{ name: 'region', type: 'string', required: false, default: 'KR' }],
    nodes: [
      {
        id: 'orders',
        type: 'static_data',
        config: { rows: [{ region: 'KR', amount: 10 }] },
        position: { x: 0, y: 0 },
        label: 'Orders',
      },
      { id: 'kr', type: 'filter_rows', config: { condition: 'region == @region' } },
      { id: 'out', type: 'display_results', config: {} },
    ],
    edges: [
      { source: 'orders', target: 'kr' },
      { source: 'kr', target: 'out', source_port: 'out', target_port: 'in' },
    ],
  };
}

/** A schedule as GET /schedules/{id} answers. */
export const scheduleFixture: Schedule = {
  id: 's1',
  workspace_id: 'w1',
  flow_id: 'f1',
  name: 'weekday report',
  version: 2,
  cron: '0 9 * * 1-5',
  timezone: 'Asia/Seoul',
  params: { region: 'KR', limit: 5 },
  enabled: true,
  misfire_policy: 'skip',
  next_fire_at: '2026-03-02T00:00:00Z',
  last_fire_at: null,
  created_by: null,
  created_at: '2026-03-01T00:00:00Z',
  updated_at: '2026-03-01T00:00:00Z',
  next_fire_times: ['2026-03-02T09:00:00+09:00'],
};

/** A connection as GET /connections/{id} answers: a password is set, never sent back. */
export const connectionFixture: Connection = {
  id: 'c1',
  workspace_id: 'w1',
  name: 'warehouse',
  kind: 'postgresql',
  description: 'the DW',
  host: 'db.internal',
  port: 5432,
  user: 'reader',
  database: 'dw',
  options: { sslmode: 'require' },
  read_only: true,
  statement_timeout_s: 30,
  has_url: false,
  has_password: true,
  header_names: [],
  secrets_readable: true,
  created_by: null,
  updated_by: null,
  created_at: '2026-03-01T00:00:00Z',
  updated_at: '2026-03-01T00:00:00Z',
};
