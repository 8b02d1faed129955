import { aws } from './aws/index.ts';
import { azure } from './azure/index.ts';
import { gcp } from './gcp/index.ts';
import { kubernetes } from './kubernetes/index.ts';
import type { RelyingParty } from './relying-party.ts';
import { vault } from './vault/index.ts';

/**
 * Every relying party envid knows, in the order `envid idp login --help` lists them. Adding one: a
 * folder src/relying-parties/<id>/ and one line here (docs/relying-parties.md).
 */
export const relyingParties: readonly RelyingParty[] = [azure, aws, gcp, vault, kubernetes];
