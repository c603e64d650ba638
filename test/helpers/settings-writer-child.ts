/** Another process changing settings.json through the store (the CLI or a second app): args dataDir patchJson. */
import { createSettingsStore } from '../../src/main/services/settings/store.ts';

const [dir = '', patch = '{}'] = process.argv.slice(2);
createSettingsStore(dir).update(JSON.parse(patch) as never);
