/**
 * A child process that launches a real server (microsocks) through test/helpers/proc.ts, prints
 * `ready <pgid>` and waits to be killed: the cleanup test kills it as a dying test worker would be.
 */
import { launch, freePort, makeTempDir, findBinary } from './proc.ts';

const port = await freePort();
const proc = await launch({ name: 'microsocks', bin: findBinary(['microsocks'], 'microsocks'), args: ['-i', '127.0.0.1', '-p', String(port)], dir: await makeTempDir('child-socks'), port });
process.stdout.write(`ready ${proc.child.pid}\n`);
setInterval(() => {}, 1000);
