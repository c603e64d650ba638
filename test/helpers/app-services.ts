/**
 * App services as the tests start them: the browser host, a test version, the logs inside the data folder, no
 * environment, and a save dialog that is cancelled, unless `options` says otherwise. Windows are each test's own.
 */
import { logDirOf } from '../../src/main/services/paths.ts';
import { createAppServices, type AppServices, type AppServicesOptions } from '../../src/main/services/app.ts';

export function testAppServices(dataDir: string, options: Partial<AppServicesOptions> = {}): AppServices {
  return createAppServices({
    dataDir,
    logDir: logDirOf(dataDir),
    env: {},
    host: 'browser',
    versions: { name: 'Parley', version: 'test', electron: '' },
    chooseExportPath: async () => null,
    ...options,
  });
}
