export type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `obj` with `key` set, or removed when `value` is undefined. */
export function setKey(obj: Obj, key: string, value: unknown): Obj {
  const { [key]: _old, ...rest } = obj;
  return value === undefined ? rest : { ...rest, [key]: value };
}

export function joinPath(path: string, key: string | number): string {
  return path ? `${path}.${key}` : String(key);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Undefined for an empty list, so an emptied list falls back to the field's default. */
export function listOrUndefined<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}

export function display(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
