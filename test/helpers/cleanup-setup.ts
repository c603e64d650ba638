/**
 * Runs in every test file of the network and e2e projects: whatever servers the file started (test/helpers/
 * proc.ts registers each as it spawns) are stopped when the file ends, also those a failed `Promise.all`
 * never handed back to the file.
 */
import { afterAll } from 'vitest';
import { stopAllLaunched } from './proc.ts';

afterAll(stopAllLaunched, 30_000);
