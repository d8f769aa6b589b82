import { useFlowActions, useFlowStore } from '../../store';
import { ParametersEditor, type ParameterRenamer, type ParameterSlot } from './ParametersEditor';

/** Flow name, description, timeout and parameters; the problems that belong to no node. */
export function FlowSettings({
  parameterTestValue,
  renameParameter,
}: {
  parameterTestValue?: ParameterSlot;
  renameParameter?: ParameterRenamer;
}) {
  const meta = useFlowStore((s) => s.meta);
  const problems = useFlowStore((s) => s.problems);
  const nodeCount = useFlowStore((s) => s.nodes.length);
  const { setMeta } = useFlowActions();
  return (
    <div className="flow-settings">
      <h2>Flow</h2>
      <div className="field">
        <label htmlFor="flow-name">Name</label>
        <input id="flow-name" type="text" value={meta.name} onChange={(e) => setMeta({ name: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="flow-description">Description</label>
        <textarea
          id="flow-description"
          rows={3}
          value={meta.description ?? ''}
          onChange={(e) => setMeta({ description: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="flow-timeout">Timeout (s)</label>
        <input
          id="flow-timeout"
          type="number"
          min={0}
          step="any"
          value={meta.timeout_s ?? ''}
          onChange={(e) => setMeta({ timeout_s: e.target.value === '' ? null : Number(e.target.value) })}
        />
      </div>
      <ParametersEditor testValue={parameterTestValue} renamer={renameParameter} />
      {problems.length > 0 && (
        <>
          <h3>Problems ({problems.length})</h3>
          <ul className="problems">
            {problems.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        </>
      )}
      {nodeCount === 0 && <p className="muted">Drag a node from the palette to start, or click it.</p>}
    </div>
  );
}
