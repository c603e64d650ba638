/**
 * `parley update [--feed URL]... [--channel stable|beta] [--download | --check] [--config-dir DIR] [--json]`: the
 * updater's check (with --download its verified download into the data folder's updates/; with --check the feeds'
 * doctor, also `parley doctor --update`), with the same code and the same
 * route as the app (the network settings of settings.json: proxy, bypass, CA files, timeouts). It never installs:
 * the app does, on a click. For scripts and for seeing which feed answers from this network: each feed tried is named
 * with its result.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ParleyError } from '../core/errors.ts';
import { createCore } from '../core/index.ts';
import { UPDATE_CHANNELS } from '../../shared/settings.ts';
import { RELEASE_FEEDS } from '../../shared/update.ts';
import { MAX_UPDATE_FEEDS } from '../../shared/bounds.ts';
import { defaultConfigDir } from '../services/paths.ts';
import { checkForUpdate } from '../services/update/feed.ts';
import { checkUpdateFeeds } from '../services/update/doctor.ts';
import { downloadRelease } from '../services/update/download.ts';
import { followingRedirects, updateFetch } from '../services/update/route.ts';
import { argError, readStoredSettings, UsageError } from './options.ts';
import { parleyVersion, usageError } from './usage.ts';

export const UPDATE_USAGE = `Usage: parley update [--feed URL]... [--channel stable|beta] [--download | --check] [--config-dir DIR] [--json]

Checks for a newer Parley on the update feeds (electron-builder's latest*.yml), tried in order, through the
route of the network settings (proxy, bypass, CA files, timeouts), and says which feed answered and what
each other one did. With --download, downloads the release's file for this system and verifies its size
and SHA-512 (a broken download resumes). With --check (also \`parley doctor --update\`), the feeds' doctor:
for every feed, the route, reaching it (DNS, connect, tunnel, TLS issuer), its manifest, and its offer.
Nothing is installed: the app installs on a click.
Exit 0 checked (newer or not), 1 no feed gave a usable answer or the download failed, 2 settings or usage.

Options:
  --feed URL            a feed to try (repeatable; default: Settings → Updates, else Parley's own)
  --channel NAME        stable or beta (default: Settings → Updates)
  --download            download and verify the newer release into <data folder>/updates
  --check               every feed's doctor: route, reaching it, manifest, offer
  --config-dir DIR      the app's data folder (default: its usual place; env PARLEY_HOME)
  --json                one JSON object per line: each feed tried, then the result (or {type: "error", …})
`;

export async function update(argv: string[]): Promise<number> {
  const options = { feed: { type: 'string', multiple: true }, channel: { type: 'string' }, download: { type: 'boolean' }, check: { type: 'boolean' }, 'config-dir': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
  let values: { feed?: string[]; channel?: string; download?: boolean; check?: boolean; 'config-dir'?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options }));
  } catch (e) {
    return usageError('update', argError(e, Object.keys(options)), UPDATE_USAGE, argv.includes('--json'));
  }
  if (values.help) {
    process.stdout.write(UPDATE_USAGE);
    return 0;
  }
  const json = values.json === true;
  const out = (o: Record<string, unknown>, text: string): void => void (json ? process.stdout.write(JSON.stringify(o) + '\n') : process.stdout.write(text + '\n'));
  if (values.channel !== undefined && !(UPDATE_CHANNELS as readonly string[]).includes(values.channel)) return usageError('update', new UsageError(`--channel must be stable or beta, not "${values.channel}"`), UPDATE_USAGE, json);
  for (const f of values.feed ?? []) if (!/^https?:\/\/[^\s/]+/i.test(f)) return usageError('update', new UsageError(`--feed must be an http(s):// URL, not "${f}"`), UPDATE_USAGE, json);
  if ((values.feed?.length ?? 0) > MAX_UPDATE_FEEDS) return usageError('update', new UsageError(`at most ${MAX_UPDATE_FEEDS} --feed`), UPDATE_USAGE, json);
  if (values.check && values.download) return usageError('update', new UsageError('--check and --download do not go together'), UPDATE_USAGE, json);
  const dataDir = values['config-dir'] ?? defaultConfigDir();
  const core = createCore({ env: process.env });
  try {
    const s = readStoredSettings(dataDir);
    const feeds = values.feed?.length ? values.feed : s.updates.feeds.length ? s.updates.feeds : [...RELEASE_FEEDS];
    const channel = (values.channel ?? s.updates.channel) as 'stable' | 'beta';
    const current = parleyVersion() ?? '0.0.0';
    const platform = { os: process.platform, arch: process.arch };
    if (values.check) {
      const report = await checkUpdateFeeds({ core, network: s.network, feeds, channel, current, platform });
      if (json) process.stdout.write(JSON.stringify(report) + '\n');
      else {
        for (const f of report.feeds) {
          process.stdout.write(`${f.feed}\n`);
          for (const st of f.steps) process.stdout.write(`  ${st.status.padEnd(4)} ${st.id.padEnd(8)} ${st.detail}${st.error ? `\n                hint: ${st.error.hint}` : ''}\n`);
        }
        process.stdout.write(report.ok ? `Updates would come from ${report.chosen}.\n` : 'No feed gives a usable answer from this network.\n');
      }
      return report.ok ? 0 : 1;
    }
    const fetch = followingRedirects(updateFetch(core, s.network));
    const r = await checkForUpdate({ feeds, channel, current, platform, fetch });
    for (const a of r.attempts) out({ type: 'feed', feed: a.feed, ok: a.ok, ...(a.error ? { error: a.error.toInfo() } : {}) }, `  ${a.ok ? 'ok  ' : 'fail'} ${a.feed}${a.error ? `\n         ${a.error.code}: ${a.error.message}` : ''}`);
    if (r.state === 'failed') throw r.error;
    if (r.state === 'current') {
      out({ type: 'result', state: 'current', current }, `Parley ${current} is the newest (${channel}).`);
      return 0;
    }
    const rel = r.release;
    out({ type: 'result', state: 'available', current, version: rel.version, size: rel.file.size, feed: rel.feed, notes: rel.notes }, `Parley ${rel.version} is available (${(rel.file.size / 1024 / 1024).toFixed(1)} MB, from ${rel.feed}); this is ${current}.${rel.notes ? `\n\n${rel.notes}` : ''}`);
    if (!values.download) return 0;
    const file = await downloadRelease({ release: rel, feeds, dir: join(dataDir, 'updates'), fetch, idleMs: s.network.timeouts.idleMs });
    out({ type: 'downloaded', file, version: rel.version }, `Downloaded and verified: ${file}`);
    return 0;
  } catch (e) {
    const info = ParleyError.is(e) ? e.toInfo() : { code: 'protocol_error' as const, message: e instanceof Error ? e.message : String(e), hint: 'This looks like a bug in Parley: report it with the message.' };
    if (json) process.stdout.write(JSON.stringify({ type: 'error', ...info }) + '\n');
    else process.stderr.write(`parley update: ${info.code}: ${info.message}\n  hint: ${info.hint}\n`);
    return info.code === 'config_invalid' ? 2 : 1;
  } finally {
    await core.close();
  }
}
