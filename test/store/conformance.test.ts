import { registerStoreConformance } from '../../src/store/conformance/conformance.ts';
import { engines, openTestStore } from '../support/databases.ts';

for (const engine of engines) registerStoreConformance(engine, () => openTestStore(engine));
