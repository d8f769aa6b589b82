import catalogJson from './fixtures/catalog.json';
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
