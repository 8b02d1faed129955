// `node --import ./module-log.mjs …` records each module the process loads in $ENVID_MODULE_LOG: ES
// modules as the loader resolves them (module-log-hooks.mjs), CommonJS files from require's cache at exit.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

register('./module-log-hooks.mjs', import.meta.url);

const { cache } = createRequire(import.meta.url);
process.on('exit', () => {
  const log = process.env.ENVID_MODULE_LOG;
  const files = Object.keys(cache).map((file) => pathToFileURL(file).href);
  if (log && files.length > 0) appendFileSync(log, `${files.join('\n')}\n`);
});
