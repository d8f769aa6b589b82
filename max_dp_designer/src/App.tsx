import { lazy, Suspense, useEffect, useState } from 'react';
import { fetchCatalog } from './api/catalog';
import { Designer } from './components/Designer';
import type { Catalog } from './lib/catalog';

// The demo and its fixture catalog load only with ?demo.
const Demo = lazy(async () => {
  const [{ DemoDesigner }, fixture] = await Promise.all([import('./demo/DemoDesigner'), import('./test/fixtures/catalog.json')]);
  const catalog = fixture.default as unknown as Catalog;
  return { default: () => <DemoDesigner catalog={catalog} /> };
});

export function App() {
  const demo = new URLSearchParams(window.location.search).has('demo');
  if (demo) {
    return (
      <Suspense fallback={<p className="loading">Loading the demo…</p>}>
        <Demo />
      </Suspense>
    );
  }
  return <LiveDesigner />;
}

/** Against the server. Login, flow list, save and runs come with the API integration (docs/designer.md). */
function LiveDesigner() {
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    fetchCatalog(ctrl.signal).then(setCatalog, (err: Error) => {
      if (err.name !== 'AbortError') setError(err.message);
    });
    return () => ctrl.abort();
  }, []);
  if (error) {
    return (
      <div className="startup-error">
        <h1>MAX DP designer</h1>
        <p>The node catalog could not be loaded ({error}).</p>
        <p>
          Is the server running? Meanwhile, <a href="?demo">open the demo</a>, which runs against a built-in catalog.
        </p>
      </div>
    );
  }
  if (!catalog) return <p className="loading">Loading the node catalog…</p>;
  return <Designer catalog={catalog} />;
}
