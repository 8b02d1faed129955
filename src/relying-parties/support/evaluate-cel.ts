/** The relying parties' CEL rules share the one evaluator (SSO admission rules use it too). */
export { type CelResult, evaluateCel } from '../../shared/evaluate-cel.ts';
