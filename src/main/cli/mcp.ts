/**
 * `parley mcp list` and `parley mcp doctor [NAME]`: the MCP servers of the app's settings (or of `--mcp FILE`), and
 * the MCP doctor on each (or the one named), a line per step, then the verdict and the fix. Exit 0 when every
 * server checked works, 1 otherwise, 2 for a wrong command line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { createCore } from '../core/index.ts';
import { ParleyError } from '../core/errors.ts';
import { importMcpServers, mcpServerSchema, type McpServerEntry } from '../../shared/mcp.ts';
import { networkSchema } from '../../shared/settings.ts';
import { defaultConfigDir } from '../services/paths.ts';
import { mcpDoctor } from '../services/mcp/doctor.ts';
import { createRedactor, settingsSecrets } from '../services/diagnostics/redact.ts';
import { readConfigFile } from './options.ts';
import { storedSettings } from './request.ts';
import { MCP_USAGE, usageError } from './usage.ts';
import { UsageError } from './options.ts';

const OPTIONS = { mcp: { type: 'string' }, 'config-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export async function mcp(argv: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS }));
  } catch (e) {
    return usageError('mcp', new UsageError(e instanceof Error ? e.message : String(e)), MCP_USAGE, argv.includes('--json'));
  }
  const [sub, name] = positionals;
  if (values.help || !sub) {
    process.stdout.write(MCP_USAGE);
    return values.help ? 0 : 2;
  }
  if (sub !== 'list' && sub !== 'doctor') return usageError('mcp', new UsageError(`unknown command "mcp ${sub}"`), MCP_USAGE, values.json === true);
  const json = values.json === true;
  const configDir = values['config-dir'] ?? defaultConfigDir();
  let servers: McpServerEntry[];
  let network: unknown;
  try {
    const settings = storedSettings(readConfigFile(configDir));
    network = settings?.network ?? {};
    if (values.mcp) {
      let n = 0;
      const { servers: found, problems } = importMcpServers(JSON.parse(readFileSync(values.mcp, 'utf8')), () => `cli${++n}`);
      for (const p of problems) process.stderr.write(`parley: --mcp ${values.mcp}: ${p}\n`);
      servers = found.map((s) => v.parse(mcpServerSchema, s));
    } else servers = settings?.mcpServers ?? [];
  } catch (e) {
    process.stderr.write(`parley: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (name) servers = servers.filter((s) => s.name.toLowerCase() === name.toLowerCase() || s.id === name);
  if (!servers.length) {
    process.stderr.write(name ? `parley: no MCP server named "${name}"\n` : 'parley: no MCP servers configured (add them in the app, or give --mcp FILE)\n');
    return name ? 2 : 0;
  }
  if (sub === 'list') {
    for (const s of servers) {
      const what = s.transport === 'stdio' ? [s.command ?? '', ...s.args].join(' ') : s.url ?? '';
      if (json) process.stdout.write(JSON.stringify({ name: s.name, enabled: s.enabled, transport: s.transport, runs: what, env: Object.keys(s.env), headers: Object.keys(s.headers), allowed: s.allowed }) + '\n');
      else process.stdout.write(`${s.enabled ? ' ' : '-'} ${s.name}  ${s.transport}  ${what}${Object.keys(s.env).length ? `  (env: ${Object.keys(s.env).join(', ')})` : ''}\n`);
    }
    return 0;
  }
  const core = createCore({ env: process.env });
  const redactor = createRedactor(settingsSecrets({ mcpServers: servers }, process.env));
  const net = v.parse(networkSchema, network);
  let worst = 0;
  try {
    for (const s of servers) {
      const report = await mcpDoctor(s, {
        servers: () => servers, network: () => net, env: async () => ({ env: process.env, pathFrom: 'app' }), core, dir: join(configDir, 'mcp'),
      }, { onStep: (st) => { if (!json) process.stdout.write(redactor.redactText(`  ${st.status.padEnd(4)} ${st.id.padEnd(9)} ${st.detail}\n`)); } });
      if (json) process.stdout.write(redactor.redactText(JSON.stringify(report)) + '\n');
      else {
        process.stdout.write(`${s.name}: ${report.verdict === 'ok' ? 'works' : report.verdict}\n`);
        for (const h of report.hints) process.stdout.write(redactor.redactText(`  fix: ${h}\n`));
        if (report.stderr && report.verdict !== 'ok') process.stdout.write(redactor.redactText(`  stderr: ${report.stderr.split('\n').slice(-5).join('\n          ')}\n`));
      }
      if (report.verdict !== 'ok') worst = 1;
    }
  } catch (e) {
    process.stderr.write(`parley: ${ParleyError.is(e) ? `${e.code}: ${e.message}` : String(e)}\n`);
    return 1;
  } finally {
    await core.close();
  }
  return worst;
}
