import { useMemo } from 'react';
import { formatDuration, formatRows } from '../components/Canvas/format';
import { useFlowStore } from '../store';
import { useEditor, useEditorActions } from './EditorProvider';
import { formatCell, pageOf, shortType, toColumns, type PreviewColumn } from './logic';
import { PREVIEW_ROWS } from './editor-store';

/** "Run to here": the previewed node's output as a paged table with column types and null counts. */
export function PreviewPanel() {
  const preview = useEditor((s) => s.preview);
  const actions = useEditorActions();
  const label = useFlowStore((s) => {
    const n = s.nodes.find((x) => x.id === preview?.nodeId);
    return n ? n.data.label || n.id : preview?.nodeId;
  });
  if (!preview) return null;
  const node = preview.answer?.nodes[preview.nodeId];
  return (
    <section className="preview-panel" aria-label="Preview">
      <header>
        <strong>Preview: {label}</strong>
        {preview.loading && <span className="muted"> running…</span>}
        {node && node.row_count != null && (
          <span className="muted">
            {' '}
            {formatRows(node.row_count)}
            {node.row_count > (node.rows?.length ?? 0) && ` (first ${node.rows?.length ?? 0} loaded)`}
            {node.duration_ms != null && ` · ${formatDuration(node.duration_ms)}`}
          </span>
        )}
        <span className="spacer" />
        <button type="button" onClick={() => void actions.previewNode(preview.nodeId)} disabled={preview.loading}>
          Refresh
        </button>
        <button type="button" onClick={actions.closePreview} aria-label="Close preview">
          ✕
        </button>
      </header>
      {preview.error && (
        <p className="field-error" role="alert">
          {preview.error}
        </p>
      )}
      {node && !preview.error && (
        <DataTable
          columns={toColumns(node.columns)}
          rows={node.rows ?? []}
          page={preview.page}
          onPage={actions.setPreviewPage}
        />
      )}
    </section>
  );
}

export function DataTable({
  columns,
  rows,
  page,
  onPage,
}: {
  columns: PreviewColumn[];
  rows: Array<Record<string, unknown>>;
  page: number;
  onPage: (page: number) => void;
}) {
  const current = useMemo(() => pageOf(rows, page), [rows, page]);
  if (columns.length === 0) return <p className="muted">No columns.</p>;
  return (
    <div className="data-table">
      <div className="data-table-scroll">
        <table>
          <thead>
            <tr>
              <th className="row-number">#</th>
              {columns.map((c) => (
                <th key={c.name} title={`${c.name}: ${c.dtype}`}>
                  <span className="col-name">{c.name}</span>
                  <span className="col-meta">
                    <span className="col-type">{shortType(c.dtype)}</span>
                    {c.nulls != null && <span className={c.nulls > 0 ? 'col-nulls has-nulls' : 'col-nulls'}>{c.nulls} null</span>}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {current.rows.map((row, i) => (
              <tr key={current.from + i}>
                <td className="row-number">{current.from + i}</td>
                {columns.map((c) => {
                  const cell = formatCell(row[c.name]);
                  return (
                    <td key={c.name} className={cell.isNull ? 'null' : undefined}>
                      {cell.text}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Pages">
        <button type="button" onClick={() => onPage(current.page - 1)} disabled={current.page === 0}>
          Previous
        </button>
        <span>
          {rows.length === 0
            ? 'no rows'
            : `rows ${current.from}–${current.to} of ${rows.length}${rows.length >= PREVIEW_ROWS ? '+' : ''} · page ${current.page + 1} of ${current.pages}`}
        </span>
        <button type="button" onClick={() => onPage(current.page + 1)} disabled={current.page >= current.pages - 1}>
          Next
        </button>
      </nav>
    </div>
  );
}
