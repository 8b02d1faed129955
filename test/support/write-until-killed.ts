// Run as a separate process by test/store/pglite-data-dir.test.ts: opens the embedded database on the
// directory given and inserts organizations one by one, printing each ID once its insert has
// committed, until it is killed.
import { newOrganization } from '../../src/store/conformance/fixtures.ts';
import { openStore } from '../../src/store/open-store.ts';

const store = await openStore({ dataDir: process.argv[2] });
for (;;) {
  const organization = await store.organizations.insert(newOrganization());
  process.stdout.write(`${organization.id}\n`);
}
