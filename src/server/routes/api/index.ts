import type { MethodDefinition } from '../../connect/define-method.ts';
import { identityMethods } from './identity.ts';

/** Every Connect method the API serves. */
export const apiMethods: MethodDefinition[] = [...identityMethods];
