// ?demo: the designer against the fixture catalog, until the server's API exists.
import type { FlowDocument, FlowNodeSpec } from '../lib/flow-document';
import type { ExpressionValidator } from '../components/ConfigForm';

export function demoDocument(): FlowDocument {
  return {
    schema_version: 1,
    name: 'orders-by-region',
    description: 'Totals per region for large orders',
    parameters: [{ name: 'min_amount', type: 'number', required: false, default: 10 }],
    nodes: [
      {
        id: 'orders',
        type: 'static_data',
        label: 'Orders',
        config: {
          rows: [
            { region: 'KR', amount: 10, day: '2024-01-01' },
            { region: 'US', amount: 25, day: '2024-01-01' },
            { region: 'KR', amount: 40, day: '2024-01-02' },
          ],
        },
      },
      { id: 'large', type: 'filter_rows', config: { condition: 'amount >= @min_amount' } },
      {
        id: 'totals',
        type: 'group_aggregate',
        config: { group_by: ['region'], aggregations: [{ column: 'amount', function: 'sum', as: 'total' }] },
      },
      { id: 'out', type: 'display_results', config: { name: 'totals' } },
      { id: 'small', type: 'display_results', config: {} },
    ],
    edges: [
      { source: 'orders', target: 'large' },
      { source: 'large', target: 'totals', source_port: 'out' },
      { source: 'totals', target: 'out' },
      { source: 'large', target: 'small', source_port: 'rejected' },
    ],
  };
}

/** A rough stand-in for preview columns: what each demo node would output. */
export function demoColumns(nodes: FlowNodeSpec[], inputsOf: (id: string) => string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const visit = (node: FlowNodeSpec, seen: Set<string>): string[] => {
    if (out[node.id]) return out[node.id]!;
    if (seen.has(node.id)) return [];
    seen.add(node.id);
    const config = node.config ?? {};
    const upstream = inputsOf(node.id).flatMap((id) => {
      const n = nodes.find((x) => x.id === id);
      return n ? visit(n, seen) : [];
    });
    let columns: string[] = [...new Set(upstream)];
    if (node.type === 'static_data' && Array.isArray(config.rows)) {
      columns = [...new Set(config.rows.flatMap((r) => (r && typeof r === 'object' ? Object.keys(r) : [])))];
    } else if (node.type === 'group_aggregate') {
      const aggs = Array.isArray(config.aggregations) ? (config.aggregations as Array<Record<string, unknown>>) : [];
      const by = Array.isArray(config.group_by) ? (config.group_by as string[]) : [];
      columns = [...by, ...aggs.map((a) => String(a.as ?? `${a.column ?? ''}_${a.function ?? ''}`))];
    }
    out[node.id] = columns;
    return columns;
  };
  for (const n of nodes) visit(n, new Set());
  return out;
}

/** A syntax check good enough for a demo: balanced brackets and quotes, no dangling operator. */
export const demoValidate: ExpressionValidator = (expression) => {
  let depth = 0;
  let quote: string | null = null;
  for (const ch of expression) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return 'unexpected )';
  }
  if (quote) return `unclosed ${quote}`;
  if (depth > 0) return 'missing )';
  if (/(==|!=|>=|<=|[<>+\-*/]|\band|\bor|\bnot|\bin)\s*$/.test(expression.trim())) return 'expression ends with an operator';
  return null;
};
