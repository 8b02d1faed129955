import type { MethodDefinition } from '../../connect/define-method.ts';
import { environmentMethods } from './environments.ts';
import { identityMethods } from './identity.ts';
import { projectMethods } from './projects.ts';
import { runnerMethods } from './runners.ts';

/** Every Connect method the API serves. */
export const apiMethods: MethodDefinition[] = [
  ...identityMethods,
  ...projectMethods,
  ...runnerMethods,
  ...environmentMethods,
];
