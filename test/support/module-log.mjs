// `node --import ./module-log.mjs …` records each ESM module the process resolves (see module-log-hooks.mjs).
import { register } from 'node:module';

register('./module-log-hooks.mjs', import.meta.url);
