/**
 * The environment lifecycle moved to src/services/environment-lifecycle.ts. runners.ts still imports it
 * from here until runners move to src/services too (done on another branch); then this file goes.
 */
export { countLiveEnvironments, markEnvironmentsDeleted } from '../../../services/environment-lifecycle.ts';
