import { useMemo, useState, type DragEvent } from 'react';
import { groupCatalog, type CatalogEntry } from '../../lib/catalog';
import { useFlowStore } from '../../store';
import { NODE_TYPE_MIME } from './dnd';

interface PaletteProps {
  /** Adds a node of this type where the user is looking (click or Enter on an item). */
  onAdd: (type: string) => void;
}

/** The node catalog grouped by category, with search; items drag onto the canvas. */
export function Palette({ onAdd }: PaletteProps) {
  const catalog = useFlowStore((s) => s.catalog);
  const [search, setSearch] = useState('');
  const groups = useMemo(() => groupCatalog(catalog, search), [catalog, search]);
  return (
    <nav className="palette" aria-label="Node palette">
      <input
        type="search"
        className="palette-search"
        placeholder="Search nodes…"
        aria-label="Search nodes"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        onKeyDown={(e) => {
          const only = groups.length === 1 && groups[0]!.entries.length === 1 ? groups[0]!.entries[0] : undefined;
          if (e.key === 'Enter' && only) onAdd(only.type);
        }}
      />
      {groups.length === 0 && <p className="muted">No node matches “{search}”.</p>}
      {groups.map((group) => (
        <section key={group.category} aria-label={group.category}>
          <h3>{group.category}</h3>
          <ul>
            {group.entries.map((entry) => (
              <PaletteItem key={entry.type} entry={entry} onAdd={onAdd} />
            ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}

function PaletteItem({ entry, onAdd }: { entry: CatalogEntry; onAdd: (type: string) => void }) {
  const onDragStart = (e: DragEvent) => {
    e.dataTransfer.setData(NODE_TYPE_MIME, entry.type);
    e.dataTransfer.effectAllowed = 'move';
  };
  return (
    <li>
      <button
        type="button"
        className="palette-item"
        draggable
        onDragStart={onDragStart}
        onClick={() => onAdd(entry.type)}
        title={entry.description}
        data-node-type={entry.type}
      >
        <span className="palette-item-title">{entry.title}</span>
        <span className="palette-item-type">{entry.type}</span>
      </button>
    </li>
  );
}
