// Module hooks (run in the loader thread): append every resolved module URL to $ENVID_MODULE_LOG.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (process.env.ENVID_MODULE_LOG) appendFileSync(process.env.ENVID_MODULE_LOG, `${result.url}\n`);
  return result;
}
