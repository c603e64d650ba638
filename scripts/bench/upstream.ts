/**
 * The benchmark's upstream, in its own process (forked by scripts/bench-stream.ts) so that serving does not share
 * the CPU of the clients measured in-process: the project's loopback upstream (test/helpers/upstream.ts), over
 * http:// and https:// (a test CA), every chat request answered with the same long stream: `--deltas N` deltas of
 * "tok " (OpenAI chunks), written as one body (split 'whole') so the server is never the bottleneck.
 */
import { makeTestCA } from '../../test/helpers/certs.ts';
import { startUpstream, type Upstream } from '../../test/helpers/upstream.ts';
import { intFlag } from '../args.ts';

const DELTAS = intFlag('--deltas', 42_000);
export const TOKEN = 'tok ';
const text = TOKEN.repeat(DELTAS);

const ca = await makeTestCA();
const http = await startUpstream();
const https = await startUpstream({ tls: { cert: ca.cert, key: ca.key } });
for (const up of [http, https]) answerAll(up);

function answerAll(up: Upstream): void {
  up.onRequest = (req) => {
    // The request log is trimmed, so that a long run does not keep every request.
    if (up.requests.length > 100) up.requests.splice(0, up.requests.length - 1);
    if (req.route === 'chat') up.behave({ kind: 'ok', text, chunkSize: TOKEN.length, split: 'whole' });
  };
}
process.send!({ http: http.url, https: https.url, caCertPath: ca.caCertPath });
process.on('disconnect', () => {
  void Promise.all([http.stop(), https.stop()]).then(() => process.exit(0));
});
