// Loaded with `node --import`: resolves the `electron` module to the stub next to this file.
import { registerHooks } from 'node:module';

const stub = new URL('./electron.mjs', import.meta.url).href;
registerHooks({
  resolve(specifier, context, next) {
    if (specifier === 'electron') return { url: stub, shortCircuit: true, format: 'module' };
    return next(specifier, context);
  },
});
