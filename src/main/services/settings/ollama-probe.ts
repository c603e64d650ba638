/** Whether an Ollama answers at a base URL (GET /api/tags within a second): first-run detection only. */
import { request } from 'undici';

export async function probeOllama(baseUrl: string): Promise<boolean> {
  try {
    const res = await request(new URL('/api/tags', baseUrl), { method: 'GET', headersTimeout: 1000, bodyTimeout: 1000, signal: AbortSignal.timeout(1500) });
    const body = await res.body.text();
    return res.statusCode === 200 && body.length < 4 * 1024 * 1024 && body.includes('"models"');
  } catch {
    return false;
  }
}
