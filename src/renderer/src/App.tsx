import { useEffect, useState } from 'react';
import type { AppInfo } from '../../shared/ipc.ts';

export function App(): React.JSX.Element {
  const [info, setInfo] = useState<AppInfo | null>(null);
  useEffect(() => {
    void window.parley?.info().then((r) => r.ok && setInfo(r.value));
  }, []);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 32 }}>
      <h1>Parley</h1>
      <p>The chat window and settings panel arrive with a later issue. The network core and the <code>parley</code> command line work today.</p>
      {info && <p>Electron {info.electron} · Node {info.node} · {info.platform}</p>}
    </main>
  );
}
