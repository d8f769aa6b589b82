import type { ReactNode } from 'react';
import type { FlowParameter } from '../../lib/flow-document';
import type { Problem } from '../../lib/graph-utils';
import { newParameter } from '../../lib/parameters';
import { useFlowActions, useFlowStore } from '../../store';
import { ParameterRow } from './ParameterRow';

/** Renders extra controls for one parameter (the editor's test value). */
export type ParameterSlot = (param: FlowParameter) => ReactNode;

const NONE: FlowParameter[] = [];

/**
 * The server's problems with parameter `index`: its fields are `parameters.<name>…` (defaults,
 * duplicates) or `parameters.<index>…` (the document's shape). Prefixes the row shows are cut.
 */
export function parameterProblems(problems: readonly Problem[], index: number, name: string): string[] {
  const mine = (field: string) =>
    [`parameters.${name}`, `parameters.${index}`].some((head) => field === head || field.startsWith(`${head}.`));
  return problems
    .filter((p) => !p.node_id && p.field && mine(p.field))
    .map((p) => {
      let message = p.message;
      for (const prefix of [`parameter '${name}': `, `parameters.${index}.`]) {
        if (message.startsWith(prefix)) message = message.slice(prefix.length);
      }
      return message;
    });
}

/** The flow's declared parameters (`meta.parameters`), each edit one undo step. */
export function ParametersEditor({ testValue }: { testValue?: ParameterSlot }) {
  const params = useFlowStore((s) => s.meta.parameters ?? NONE);
  const problems = useFlowStore((s) => s.problems);
  const { setMeta } = useFlowActions();

  const add = () => setMeta({ parameters: [...params, newParameter(params.map((p) => p.name))] }, null);
  const remove = (index: number) => setMeta({ parameters: params.filter((_, i) => i !== index) }, null);
  const update = (index: number, next: FlowParameter, field: string) =>
    setMeta({ parameters: params.map((p, i) => (i === index ? next : p)) }, `meta:parameters.${index}.${field}`);

  return (
    <section className="parameters" aria-label="Parameters">
      <h3>Parameters</h3>
      <p className="help">
        Used as <code>@name</code> in expressions and <code>:name</code> in SQL.
        {testValue && ' Test values are sent with ▶ Run and Run to here; they are not saved.'}
      </p>
      {params.map((p, i) => (
        <ParameterRow
          key={i}
          index={i}
          param={p}
          params={params}
          problems={parameterProblems(problems, i, p.name)}
          onChange={(next, field) => update(i, next, field)}
          onRemove={() => remove(i)}
        >
          {testValue?.(p)}
        </ParameterRow>
      ))}
      <button type="button" onClick={add}>
        Add parameter
      </button>
    </section>
  );
}
