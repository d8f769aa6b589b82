import { useEffect, useMemo, useState } from 'react';
import * as services from '../api/services';
import { Designer } from '../components/Designer';
import type { Catalog } from '../lib/catalog';
import type { FlowDocument } from '../lib/flow-document';
import { useLeaveGuard } from '../router';
import { createFlowStore, isDirty, useFlowStore } from '../store';
import { createEditorStore, type EditorServices, type FlowInfo } from './editor-store';
import { EditorProvider, useEditorActions } from './EditorProvider';
import { EditorMessage, EditorToolbar } from './EditorToolbar';
import { ParamTestValue } from './ParamTestValue';
import { useServerValidation, useUpstreamColumns } from './hooks';
import { PreviewPanel } from './PreviewPanel';
import { createValidationCache, serverExpressionValidator, type CheckFn } from './validation';
import { normalizeDiff } from './version-diff';
import type { LoadDiff } from './VersionDiff';
import { VersionsPanel } from './VersionsPanel';

const liveServices: EditorServices = services as unknown as EditorServices;

/** The canvas wired to the server: one flow, its versions, previews and runs. */
export function FlowEditor({ flow, catalog }: { flow: FlowInfo & { document: unknown }; catalog: Catalog }) {
  const [flowStore] = useState(() => createFlowStore({ catalog, document: flow.document as FlowDocument }));
  const [editor] = useState(() => createEditorStore(flow, flowStore, liveServices));
  const check = useMemo(() => createValidationCache(services.validateDocument), []);
  const validateExpression = useMemo(
    () => serverExpressionValidator(() => flowStore.getState().actions.toDocument(), check),
    [flowStore, check],
  );
  useEffect(() => () => editor.getState().actions.dispose(), [editor]);
  const loadDiff = useMemo(() => diffLoader(flow.id, () => flowStore.getState().actions.toDocument()), [flow.id, flowStore]);

  return (
    <EditorProvider store={editor}>
      <Designer
        catalog={catalog}
        store={flowStore}
        onValidateExpression={validateExpression}
        nodeActions={(id) => <NodeActions id={id} />}
        parameterTestValue={(param) => <ParamTestValue param={param} />}
        renameParameter={services.renameParameter}
        toolbar={<EditorToolbar />}
        footer={<PreviewPanel />}
        drawer={<VersionsPanel loadDiff={loadDiff} />}
      >
        <Background check={check} />
        <EditorMessage />
      </Designer>
    </EditorProvider>
  );
}

/** Server validation, upstream columns and the leave guard: no UI of their own. */
function Background({ check }: { check: CheckFn }) {
  useServerValidation(check);
  useUpstreamColumns();
  const dirty = useFlowStore(isDirty);
  useLeaveGuard(dirty);
  return null;
}

function NodeActions({ id }: { id: string }) {
  const actions = useEditorActions();
  return (
    <button type="button" onClick={() => void actions.previewNode(id)}>
      Run to here
    </button>
  );
}

/**
 * The server's diff with the two documents it compares (for the before and after values). The
 * diff is what counts: a document that cannot be read leaves only the names of what changed.
 * "The current document" is the one in the editor, unsaved edits included.
 */
function diffLoader(flowId: string, current: () => FlowDocument): LoadDiff {
  return async (from, to) => {
    let compared: [Promise<services.FlowDiff>, Promise<{ document: unknown } | null>];
    if (to == null) {
      const draft = current();
      compared = [services.diffDraft(flowId, from, draft), Promise.resolve({ document: draft })];
    } else {
      compared = [services.diffVersions(flowId, from, to), services.getVersion(flowId, to).catch(() => null)];
    }
    const [answer, before, after] = await Promise.all([
      compared[0],
      services.getVersion(flowId, from).catch(() => null),
      compared[1],
    ]);
    const doc = (r: { document: unknown } | null) => (r ? (r.document as Partial<FlowDocument>) : null);
    return { answer: normalizeDiff(answer), before: doc(before), after: doc(after) };
  };
}
