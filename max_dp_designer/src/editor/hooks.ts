import { useEffect } from 'react';
import { useFlowStoreApi, selectedNodeIds } from '../store';
import { directInputs } from '../lib/graph-utils';
import { useEditorStoreApi } from './EditorProvider';
import type { CheckFn } from './validation';

export const VALIDATE_DELAY_MS = 600;
export const COLUMNS_DELAY_MS = 300;

/** Sends the document to the server's validator after each pause in editing; problems go on the nodes. */
export function useServerValidation(check: CheckFn, delay = VALIDATE_DELAY_MS) {
  const store = useFlowStoreApi();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let alive = true;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const rev = store.getState().rev;
        check(store.getState().actions.toDocument())
          .then((problems) => {
            if (alive && store.getState().rev === rev) store.getState().actions.setProblems(problems);
          })
          .catch(() => undefined); // offline: the local checks still show
      }, delay);
    };
    schedule();
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.rev !== prev.rev) schedule();
    });
    return () => {
      alive = false;
      clearTimeout(timer);
      unsubscribe();
    };
  }, [store, check, delay]);
}

/** Keeps the columns of the selected node's inputs known, for its column pickers. */
export function useUpstreamColumns(delay = COLUMNS_DELAY_MS) {
  const store = useFlowStoreApi();
  const editor = useEditorStoreApi();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const s = store.getState();
        const selected = selectedNodeIds(s);
        if (selected.length !== 1) return;
        const sources = directInputs(s.edges, selected[0]!).map((i) => i.source);
        if (sources.length > 0) void editor.getState().actions.ensureColumns(sources);
      }, delay);
    };
    schedule();
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.rev !== prev.rev || s.nodes !== prev.nodes) schedule();
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [store, editor, delay]);
}
