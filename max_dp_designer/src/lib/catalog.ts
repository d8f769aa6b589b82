// The node catalog the server sends at GET /api/v1/nodes (MaxDPNode.describe()).

/** Widget hints the node library puts on config fields (nodes/fields.py). */
export type Widget = 'expression' | 'column' | 'columns' | 'nodes';

/** The subset of JSON Schema that pydantic 2 emits for node config models. */
export interface JsonSchema {
  type?: JsonSchemaType | JsonSchemaType[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  'x-maxdp-widget'?: Widget;
}

export type JsonSchemaType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

export interface Port {
  name: string;
  description: string;
  /** Accepts several edges (merge, union_concatenate). */
  many: boolean;
  optional: boolean;
}

export interface CatalogEntry {
  type: string;
  category: string;
  title: string;
  description: string;
  docs: string;
  inputs: Port[];
  outputs: Port[];
  config_schema: JsonSchema;
}

export type Catalog = CatalogEntry[];

/** Lookup by type; build once per catalog. */
export type CatalogIndex = ReadonlyMap<string, CatalogEntry>;

export function indexCatalog(catalog: Catalog): CatalogIndex {
  return new Map(catalog.map((entry) => [entry.type, entry]));
}

export interface CatalogGroup {
  category: string;
  entries: CatalogEntry[];
}

/** Entries grouped by category, in catalog order, filtered by a search over type/title/description. */
export function groupCatalog(catalog: Catalog, search = ''): CatalogGroup[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const groups = new Map<string, CatalogEntry[]>();
  for (const entry of catalog) {
    const haystack = `${entry.type} ${entry.title} ${entry.description} ${entry.category}`.toLowerCase();
    if (!words.every((w) => haystack.includes(w))) continue;
    const list = groups.get(entry.category) ?? [];
    list.push(entry);
    groups.set(entry.category, list);
  }
  return [...groups].map(([category, entries]) => ({ category, entries }));
}

/**
 * The port an edge names. When it names none: the only port on that side, else the main port
 * (`in` / `out`, as filter_rows' `out` beside `rejected`), as the engine resolves it (flows/graph.py).
 */
export function resolvePort(ports: Port[], name: string | null | undefined, side: 'in' | 'out'): Port | undefined {
  if (name == null || name === '') return ports.length === 1 ? ports[0] : ports.find((p) => p.name === side);
  return ports.find((p) => p.name === name);
}
