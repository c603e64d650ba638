/**
 * For the crash test of a restore (test/net/backup.test.ts): restores the backup argv[3] into the data folder
 * argv[2], and SIGKILLs itself just before the swap's rename number argv[4] (its journal already written), as a
 * power cut or a killed process would stop it.
 */
import { pathToFileURL } from 'node:url';
import { restoreBackup } from '../../src/main/services/backup/index.ts';

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv[4]) {
  const at = Number(process.argv[4]);
  void restoreBackup(process.argv[2] as string, process.argv[3] as string, {
    beforeRename: (n) => {
      if (n === at) process.kill(process.pid, 'SIGKILL');
    },
  }).then(() => process.stdout.write('FINISHED\n'));
}
