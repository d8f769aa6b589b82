import { useEffect, useState } from 'react';
import { describeField } from '../../../lib/json-schema';
import type { JsonSchema } from '../../../lib/catalog';
import { useFormEnv } from '../context';
import { Widget } from '../Field';
import { isObject } from '../values';
import { ListEditor } from './ListEditor';
import type { WidgetProps } from './types';

type Row = [key: string, value: unknown];

function toObject(rows: Row[]): Record<string, unknown> | undefined {
  const named = rows.filter(([k, v]) => k !== '' && v !== undefined);
  return named.length > 0 ? Object.fromEntries(named) : undefined;
}

/** {key: value} with typed values (rename mapping, type per column). Keys offer the upstream columns. */
export function MapEditor({ id, field, value, onChange, path }: WidgetProps) {
  const { root, columns } = useFormEnv();
  const valueField = describeField('value', (field.schema.additionalProperties as JsonSchema) ?? {}, root, true);
  const [rows, setRows] = useState<Row[]>(() => (isObject(value) ? Object.entries(value) : []));

  // Rows may hold keys not yet typed; resync only when the value changed from outside (undo …).
  useEffect(() => {
    if (JSON.stringify(toObject(rows) ?? null) !== JSON.stringify(isObject(value) ? value : null)) {
      setRows(isObject(value) ? Object.entries(value) : []);
    }
  }, [value]);

  const update = (next: Row[]) => {
    setRows(next);
    onChange(toObject(next));
  };
  const listId = `${id}-columns`;
  return (
    <>
      {columns && (
        <datalist id={listId}>
          {columns.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
      )}
      <ListEditor<Row>
        label={field.label}
        items={rows}
        onChange={update}
        newItem={() => ['', undefined]}
        addLabel="Add entry"
        renderItem={([key, val], i, set) => (
          <div className="map-row">
            <input
              type="text"
              aria-label={`${field.label} ${i + 1} key`}
              list={columns ? listId : undefined}
              value={key}
              onChange={(e) => set([e.target.value, val])}
            />
            <span aria-hidden>→</span>
            <Widget
              id={`${id}-${i}`}
              field={valueField}
              value={val}
              path={`${path}.${key}`}
              ariaLabel={`${field.label} ${i + 1} value`}
              onChange={(v) => set([key, v])}
            />
          </div>
        )}
      />
    </>
  );
}
