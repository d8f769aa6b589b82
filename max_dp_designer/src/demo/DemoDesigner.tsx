import { useEffect } from 'react';
import { Designer } from '../components/Designer';
import { directInputs } from '../lib/graph-utils';
import type { Catalog } from '../lib/catalog';
import { useFlowStoreApi } from '../store';
import { demoColumns, demoDocument, demoValidate } from './demo-flow';

/** Keeps demo "preview" columns in step with the flow, as previews will later. */
function DemoColumns() {
  const store = useFlowStoreApi();
  useEffect(() => {
    const derive = () => {
      const { actions, edges } = store.getState();
      const doc = actions.toDocument();
      const columns = demoColumns(doc.nodes, (id) => directInputs(edges, id).map((i) => i.source));
      const current = store.getState().columns;
      if (JSON.stringify(current) !== JSON.stringify(columns)) store.setState({ columns });
    };
    derive();
    return store.subscribe((s, prev) => {
      if (s.nodes !== prev.nodes || s.edges !== prev.edges) derive();
    });
  }, [store]);
  return null;
}

export function DemoDesigner({ catalog }: { catalog: Catalog }) {
  return (
    <Designer catalog={catalog} document={demoDocument()} onValidateExpression={demoValidate}>
      <DemoColumns />
    </Designer>
  );
}
