import { Panel } from '@xyflow/react';
import { useEffect } from 'react';
import { useFlowActions, useFlowStore } from '../../store';

const NOTICE_MS = 5000;

/** The last refused action ("Connection refused: …"), for a few seconds. */
export function Notice() {
  const notice = useFlowStore((s) => s.notice);
  const { clearNotice } = useFlowActions();
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(clearNotice, NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice, clearNotice]);
  if (!notice) return null;
  return (
    <Panel position="top-center" className="notice" role="alert">
      {notice}
      <button type="button" aria-label="Dismiss" onClick={clearNotice}>
        ✕
      </button>
    </Panel>
  );
}
