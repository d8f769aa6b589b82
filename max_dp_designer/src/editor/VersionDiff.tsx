import { useEffect, useState, type ReactNode } from 'react';
import { errorMessage } from '../api/errors';
import type { FlowDocument } from '../lib/flow-document';
import { readableDiff, type FieldChange, type FlowDiffAnswer, type NodeRef, type ReadableDiff } from './version-diff';

type Doc = Partial<FlowDocument> | null;

/** The server's diff, and the two documents it compares (null when one could not be read). */
export interface LoadedDiff {
  answer: FlowDiffAnswer;
  before: Doc;
  after: Doc;
}

/** Compares version `from` with version `to`, or with the document being edited (null). */
export type LoadDiff = (from: number, to: number | null) => Promise<LoadedDiff>;

export interface Comparison {
  from: number;
  to: number | null;
}

export const comparisonTitle = ({ from, to }: Comparison) => `v${from} → ${to == null ? 'current document' : `v${to}`}`;

/** After an edit, the comparison with the current document is loaded again once typing pauses. */
const REFRESH_MS = 300;

/**
 * Loads one comparison and shows it. `unsaved`: the open flow has edits the server has not
 * seen; they are part of the current document, and `revision` (the editor's) changing loads a
 * comparison with it again.
 */
export function VersionComparison({
  comparison,
  load,
  unsaved,
  revision = 0,
}: {
  comparison: Comparison;
  load: LoadDiff;
  unsaved: boolean;
  revision?: number;
}) {
  const [state, setState] = useState<{ diff: ReadableDiff | null; error: string | null }>({ diff: null, error: null });
  const { from, to } = comparison;
  const edited = to == null ? revision : 0;
  const [shown, setShown] = useState<{ from: number; to: number | null } | null>(null);
  const refresh = shown?.from === from && shown.to === to;
  useEffect(() => {
    let alive = true;
    if (!refresh) setState({ diff: null, error: null });
    const timer = setTimeout(
      () =>
        load(from, to).then(
          (r) => {
            if (!alive) return;
            setState({ diff: readableDiff(r.answer, r.before, r.after), error: null });
            setShown({ from, to });
          },
          (err: unknown) => alive && setState({ diff: null, error: errorMessage(err) }),
        ),
      refresh ? REFRESH_MS : 0,
    );
    return () => {
      alive = false;
      clearTimeout(timer);
    };
    // Not on `refresh`: it only picks the delay, and a comparison just shown must not load again.
  }, [load, from, to, edited]);

  return (
    <section className="version-diff" aria-label="Differences" aria-busy={!state.diff && !state.error}>
      <h3>{comparisonTitle(comparison)}</h3>
      {to == null && unsaved && <p className="muted">Includes your unsaved edits.</p>}
      {!state.diff && !state.error && <p className="muted">Comparing…</p>}
      {state.error && (
        <p className="field-error" role="alert">
          {state.error}
        </p>
      )}
      {state.diff && <DiffView diff={state.diff} />}
    </section>
  );
}

/** A readable diff: the document's fields, nodes, edges and parameters added, removed, changed. */
export function DiffView({ diff }: { diff: ReadableDiff }) {
  if (diff.empty) return <p className="diff-empty">No differences</p>;
  const { nodes, edges, parameters } = diff;
  const nodeCount = nodes.added.length + nodes.removed.length + nodes.changed.length + (nodes.moved.length ? 1 : 0);
  return (
    <div className="diff">
      {diff.fields.length > 0 && (
        <DiffGroup title="Document">
          {diff.fields.map((c) => (
            <li key={c.field} className="diff-changed">
              <Change change={c} />
            </li>
          ))}
        </DiffGroup>
      )}
      {nodeCount > 0 && (
        <DiffGroup title="Nodes">
          {nodes.added.map((n) => (
            <li key={`+${n.id}`} className="diff-added">
              <Mark kind="added" /> <NodeName node={n} />
            </li>
          ))}
          {nodes.removed.map((n) => (
            <li key={`-${n.id}`} className="diff-removed">
              <Mark kind="removed" /> <NodeName node={n} />
            </li>
          ))}
          {nodes.changed.map((n) => (
            <li key={`~${n.id}`} className="diff-changed" data-node-id={n.id}>
              <Mark kind="changed" /> <NodeName node={n} />
              <ul>
                {n.changes.map((c) => (
                  <li key={c.field}>
                    <Change change={c} />
                  </li>
                ))}
              </ul>
            </li>
          ))}
          {nodes.moved.length > 0 && (
            <li className="diff-moved" title={nodes.moved.join(', ')}>
              {nodes.moved.length === 1 ? '1 node moved' : `${nodes.moved.length} nodes moved`} on the canvas
            </li>
          )}
        </DiffGroup>
      )}
      {edges.added.length + edges.removed.length + edges.changed.length > 0 && (
        <DiffGroup title="Edges">
          {edges.added.map((e) => (
            <li key={`+${e}`} className="diff-added">
              <Mark kind="added" /> <span className="mono">{e}</span>
            </li>
          ))}
          {edges.removed.map((e) => (
            <li key={`-${e}`} className="diff-removed">
              <Mark kind="removed" /> <span className="mono">{e}</span>
            </li>
          ))}
          {edges.changed.map((e) => (
            <li key={`~${e}`} className="diff-changed">
              <Mark kind="changed" /> <span className="mono">{e}</span>
            </li>
          ))}
        </DiffGroup>
      )}
      {parameters.added.length + parameters.removed.length + parameters.changed.length > 0 && (
        <DiffGroup title="Parameters">
          {parameters.added.map((p) => (
            <li key={`+${p}`} className="diff-added">
              <Mark kind="added" /> <code>@{p}</code>
            </li>
          ))}
          {parameters.removed.map((p) => (
            <li key={`-${p}`} className="diff-removed">
              <Mark kind="removed" /> <code>@{p}</code>
            </li>
          ))}
          {parameters.changed.map((p) => (
            <li key={`~${p.name}`} className="diff-changed">
              <Mark kind="changed" /> <code>@{p.name}</code>
              <ul>
                {p.changes.map((c) => (
                  <li key={c.field}>
                    <Change change={c} />
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </DiffGroup>
      )}
    </div>
  );
}

function DiffGroup({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="diff-group" aria-label={title}>
      <h4>{title}</h4>
      <ul>{children}</ul>
    </section>
  );
}

const MARKS = { added: ['+', 'added'], removed: ['−', 'removed'], changed: ['~', 'changed'] } as const;

function Mark({ kind }: { kind: keyof typeof MARKS }) {
  const [sign, word] = MARKS[kind];
  return (
    <span className={`diff-mark diff-mark-${kind}`} title={word}>
      {sign}
      <span className="sr-only"> {word}</span>
    </span>
  );
}

function NodeName({ node }: { node: NodeRef }) {
  return (
    <>
      <strong className="mono">{node.id}</strong>
      {node.label && <span> “{node.label}”</span>}
      {node.type && <span className="muted"> {node.type}</span>}
    </>
  );
}

/** `field: before → after`. */
function Change({ change }: { change: FieldChange }) {
  return (
    <span className="diff-change">
      <span className="diff-field">{change.field}</span>: <del className="mono">{change.before}</del> → <ins className="mono">{change.after}</ins>
    </span>
  );
}
