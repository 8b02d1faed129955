// Run as a separate process by test/store/pglite-data-dir.test.ts: opens the embedded database on
// the directory given, then reports what happened on stdout.
import { openStore } from '../../src/store/open-store.ts';

const dataDir = process.argv[2];
try {
  const store = await openStore({ dataDir });
  process.stdout.write('opened\n');
  await store.close();
} catch (error) {
  process.stdout.write(`${(error as Error).name}: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
