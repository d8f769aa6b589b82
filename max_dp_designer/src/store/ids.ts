// Node ids follow the document's rule: ^[A-Za-z_][A-Za-z0-9_-]{0,127}$.
export const NODE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

/** `base_1`, `base_2` … : the first one not in `taken`. A trailing `_N` on base is dropped first. */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  let stem = base.replace(/_\d+$/, '').replace(/[^A-Za-z0-9_-]/g, '_') || 'node';
  if (!/^[A-Za-z_]/.test(stem)) stem = `n_${stem}`;
  stem = stem.slice(0, 120);
  for (let i = 1; ; i++) {
    const id = `${stem}_${i}`;
    if (!taken.has(id)) return id;
  }
}
