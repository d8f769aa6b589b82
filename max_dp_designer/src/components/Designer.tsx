import { ReactFlowProvider } from '@xyflow/react';
import type { ReactNode } from 'react';
import type { Catalog } from '../lib/catalog';
import type { FlowDocument } from '../lib/flow-document';
import { FlowStoreProvider, isDirty, useFlowStore, type FlowStore } from '../store';
import { Canvas, Palette, useAddAtCenter } from './Canvas';
import { Inspector, type InspectorProps } from './Inspector';
import { Toolbar } from './Toolbar/Toolbar';
import { useUnsavedChangesGuard } from './useUnsavedChangesGuard';

export interface DesignerSlots {
  /** Extra toolbar commands (save, run …); rendered inside the React Flow provider. */
  toolbar?: ReactNode;
  /** Below the canvas (a preview table, a run's progress). */
  footer?: ReactNode;
  /** A panel right of the inspector (versions). */
  drawer?: ReactNode;
}

export type DesignerProps = InspectorProps &
  DesignerSlots & {
    catalog: Catalog;
    document?: FlowDocument;
    /** Use this store instead of creating one from `catalog` and `document`. */
    store?: FlowStore;
    /** Rendered inside the store provider (integrations that feed the store: previews, run events). */
    children?: ReactNode;
  };

/** The flow editor: palette, canvas and inspector around one flow store. */
export function Designer({ catalog, document, store, children, toolbar, footer, drawer, ...inspector }: DesignerProps) {
  const body = (
    <>
      {children}
      <ReactFlowProvider>
        <DesignerLayout inspector={inspector} toolbar={toolbar} footer={footer} drawer={drawer} />
      </ReactFlowProvider>
    </>
  );
  return store ? (
    <FlowStoreProvider store={store}>{body}</FlowStoreProvider>
  ) : (
    <FlowStoreProvider catalog={catalog} document={document}>
      {body}
    </FlowStoreProvider>
  );
}

function DesignerLayout({ inspector, toolbar, footer, drawer }: DesignerSlots & { inspector: InspectorProps }) {
  const addAtCenter = useAddAtCenter();
  const dirty = useFlowStore(isDirty);
  useUnsavedChangesGuard(dirty);
  return (
    <div className="designer">
      <Toolbar>{toolbar}</Toolbar>
      <div className="designer-main">
        <Palette onAdd={addAtCenter} />
        <div className="designer-center">
          <Canvas />
          {footer}
        </div>
        <Inspector {...inspector} />
        {drawer}
      </div>
    </div>
  );
}
