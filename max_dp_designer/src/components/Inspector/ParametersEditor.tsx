import { useState, type ReactNode } from 'react';
import type { FlowDocument, FlowParameter } from '../../lib/flow-document';
import type { Problem } from '../../lib/graph-utils';
import { newParameter, renamedConfigs, renameSummary, type RenameAnswer } from '../../lib/parameters';
import { useFlowActions, useFlowStore, useFlowStoreApi } from '../../store';
import { ParameterRow } from './ParameterRow';

/** Renders extra controls for one parameter (the editor's test value). */
export type ParameterSlot = (param: FlowParameter) => ReactNode;

/** Renames parameter `old` to `next` in `document`'s declaration and uses (the server's rename). */
export type ParameterRenamer = (document: FlowDocument, old: string, next: string) => Promise<RenameAnswer>;

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

/**
 * Renaming a parameter with `renamer`: its uses in the nodes are rewritten in the same undo step.
 * An edit made while the server answers would be overwritten, so the rename is asked again on
 * the newer document; without a renamer (or when it fails) only the declaration is renamed.
 */
function useRename(renamer: ParameterRenamer | undefined) {
  const store = useFlowStoreApi();
  const [note, setNote] = useState<{ index: number; text: string } | null>(null);
  const rename = async (index: number, old: string, next: string) => {
    const { actions } = store.getState();
    if (!renamer) {
      actions.renameParameter(index, next);
      return;
    }
    // The parameter may have been removed or renamed while the server answered.
    const still = () => store.getState().meta.parameters?.[index]?.name === old;
    for (let attempt = 0; attempt < 3 && still(); attempt++) {
      const rev = store.getState().rev;
      let answer: RenameAnswer;
      try {
        answer = await renamer(actions.toDocument(), old, next);
      } catch (err) {
        if (!still()) return;
        actions.renameParameter(index, next);
        const why = err instanceof Error ? err.message : String(err);
        setNote({ index, text: `Renamed; its uses were not (${why}): rename them by hand.` });
        return;
      }
      if (store.getState().rev !== rev) continue;
      actions.renameParameter(index, next, renamedConfigs(answer));
      setNote({ index, text: renameSummary(`@${old}`, `@${next}`, answer) });
      return;
    }
    if (!still()) return;
    actions.renameParameter(index, next);
    setNote({ index, text: 'Renamed; the flow kept changing, so its uses were not: rename them by hand.' });
  };
  return { note, rename, clear: () => setNote(null) };
}

/** The flow's declared parameters (`meta.parameters`), each edit one undo step. */
export function ParametersEditor({ testValue, renamer }: { testValue?: ParameterSlot; renamer?: ParameterRenamer }) {
  const params = useFlowStore((s) => s.meta.parameters ?? NONE);
  const problems = useFlowStore((s) => s.problems);
  const { setMeta } = useFlowActions();
  const renaming = useRename(renamer);

  const add = () => setMeta({ parameters: [...params, newParameter(params.map((p) => p.name))] }, null);
  const remove = (index: number) => {
    renaming.clear();
    setMeta({ parameters: params.filter((_, i) => i !== index) }, null);
  };
  const update = (index: number, next: FlowParameter, field: string) =>
    setMeta({ parameters: params.map((p, i) => (i === index ? next : p)) }, `meta:parameters.${index}.${field}`);

  return (
    <section className="parameters" aria-label="Parameters">
      <h3>Parameters</h3>
      <p className="help">
        Used as <code>@name</code> in expressions and <code>:name</code> in SQL
        {renamer && ', renamed there too when you rename one'}.
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
          onRename={(name) => void renaming.rename(i, p.name, name)}
          onRemove={() => remove(i)}
          note={renaming.note?.index === i ? renaming.note.text : null}
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
