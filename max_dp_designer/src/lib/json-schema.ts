// Reading pydantic 2 JSON Schemas for form generation: $ref resolution, optional fields, widget kinds.
import type { JsonSchema, JsonSchemaType, Widget } from './catalog';

export type FieldKind =
  | Widget
  | 'enum'
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'union' // string | integer | number: a text box that keeps numbers as numbers
  | 'string-list'
  | 'enum-list'
  | 'object-list'
  | 'tuple'
  | 'object'
  | 'map' // {key: value} with a typed value (additionalProperties schema)
  | 'json'; // anything else: edited as JSON text

export interface FieldSpec {
  name: string;
  label: string;
  description?: string;
  kind: FieldKind;
  /** The field's schema with $ref and anyOf-with-null resolved. */
  schema: JsonSchema;
  /** anyOf with null: the field may be left empty. */
  nullable: boolean;
  required: boolean;
  default?: unknown;
}

const DEFS_PREFIX = '#/$defs/';

/** Follows `$ref` into the root's `$defs`; keys next to the `$ref` override the target's. */
export function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let depth = 0; current.$ref && depth < 32; depth++) {
    const { $ref, ...siblings } = current;
    if (!$ref.startsWith(DEFS_PREFIX)) throw new Error(`unsupported $ref ${$ref}`);
    const target = root.$defs?.[$ref.slice(DEFS_PREFIX.length)];
    if (!target) throw new Error(`unknown $ref ${$ref}`);
    current = { ...target, ...siblings };
  }
  return current;
}

function isNullSchema(s: JsonSchema): boolean {
  return s.type === 'null';
}

/** Unwraps `anyOf: [X, {type: null}]` (pydantic's `X | None`) into X, keeping the outer keys. */
export function unwrapNullable(schema: JsonSchema, root: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const resolved = resolveRef(schema, root);
  const variants = resolved.anyOf ?? resolved.oneOf;
  if (Array.isArray(resolved.type) && resolved.type.includes('null')) {
    const rest = resolved.type.filter((t) => t !== 'null');
    return { schema: { ...resolved, type: rest.length === 1 ? rest[0] : rest }, nullable: true };
  }
  if (!variants || !variants.some(isNullSchema)) return { schema: resolved, nullable: false };
  const nonNull = variants.filter((v) => !isNullSchema(v));
  const { anyOf: _a, oneOf: _o, ...outer } = resolved;
  if (nonNull.length === 1) {
    return { schema: { ...resolveRef(nonNull[0]!, root), ...outer }, nullable: true };
  }
  return { schema: { ...outer, anyOf: nonNull.map((v) => resolveRef(v, root)) }, nullable: true };
}

const PRIMITIVES: JsonSchemaType[] = ['string', 'integer', 'number'];

export function fieldKind(schema: JsonSchema, root: JsonSchema): FieldKind {
  const widget = schema['x-maxdp-widget'];
  if (widget) return widget;
  if (schema.enum) return 'enum';
  if (schema.anyOf) {
    const simple = schema.anyOf.every((v) => typeof v.type === 'string' && PRIMITIVES.includes(v.type) && !v.enum);
    return simple ? 'union' : 'json';
  }
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return arrayKind(schema, root);
    case 'object':
      return objectKind(schema, root);
    default:
      return 'json';
  }
}

function arrayKind(schema: JsonSchema, root: JsonSchema): FieldKind {
  if (schema.prefixItems) return 'tuple';
  if (!schema.items) return 'json';
  const items = unwrapNullable(schema.items, root);
  if (items.nullable) return 'json';
  const item = items.schema;
  if (item.enum) return 'enum-list';
  if (item.type === 'string') return 'string-list';
  if (item.type === 'object' && item.properties) return 'object-list';
  return 'json';
}

function objectKind(schema: JsonSchema, root: JsonSchema): FieldKind {
  if (schema.properties) return 'object';
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object' && Object.keys(extra).length > 0) {
    const value = fieldKind(resolveRef(extra, root), root);
    if (['string', 'enum', 'integer', 'number', 'boolean', 'union'].includes(value)) return 'map';
  }
  return 'json';
}

/** "group_by" -> "Group by" when the schema has no title. */
export function humanize(name: string): string {
  const words = name.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function describeField(name: string, schema: JsonSchema, root: JsonSchema, required: boolean): FieldSpec {
  const { schema: inner, nullable } = unwrapNullable(schema, root);
  // A $ref'd model's title is the class name (FileInputOptions): label the field by its own name.
  const title = schema.$ref ? undefined : inner.title;
  const spec: FieldSpec = {
    name,
    label: title ?? humanize(name),
    kind: fieldKind(inner, root),
    schema: inner,
    nullable,
    required,
  };
  if (inner.description) spec.description = inner.description;
  if ('default' in inner) spec.default = inner.default;
  return spec;
}

/** The fields of an object schema, in schema order. */
export function objectFields(schema: JsonSchema, root: JsonSchema): FieldSpec[] {
  const resolved = resolveRef(schema, root);
  const required = new Set(resolved.required ?? []);
  return Object.entries(resolved.properties ?? {}).map(([name, prop]) =>
    describeField(name, prop, root, required.has(name)),
  );
}
