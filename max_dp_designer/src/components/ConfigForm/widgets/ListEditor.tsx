import type { ReactNode } from 'react';

interface ListEditorProps<T> {
  label: string;
  items: T[];
  onChange: (items: T[]) => void;
  newItem: () => T;
  renderItem: (item: T, index: number, update: (item: T) => void) => ReactNode;
  addLabel?: string;
}

/** Rows with move up/down and remove, and an add button. */
export function ListEditor<T>({ label, items, onChange, newItem, renderItem, addLabel }: ListEditorProps<T>) {
  const replace = (i: number, item: T) => onChange(items.map((old, j) => (j === i ? item : old)));
  const remove = (i: number) => onChange(items.filter((_, j) => j !== i));
  const move = (i: number, by: number) => {
    const next = [...items];
    const [item] = next.splice(i, 1);
    next.splice(i + by, 0, item as T);
    onChange(next);
  };
  return (
    <div className="list-editor">
      <ol>
        {items.map((item, i) => (
          <li key={i}>
            <div className="list-item">{renderItem(item, i, (v) => replace(i, v))}</div>
            <div className="list-buttons">
              <button type="button" aria-label={`Move ${label} ${i + 1} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                ↑
              </button>
              <button
                type="button"
                aria-label={`Move ${label} ${i + 1} down`}
                disabled={i === items.length - 1}
                onClick={() => move(i, 1)}
              >
                ↓
              </button>
              <button type="button" aria-label={`Remove ${label} ${i + 1}`} onClick={() => remove(i)}>
                ✕
              </button>
            </div>
          </li>
        ))}
      </ol>
      <button type="button" className="add" onClick={() => onChange([...items, newItem()])}>
        {addLabel ?? `Add ${label.toLowerCase()}`}
      </button>
    </div>
  );
}
