import type { Labels } from './labels.ts';

/** One environment initializer (docs/api.md#projectservice): a git source and/or a context URL. */
export interface Initializer {
  git?: { remoteUri?: string; upstreamRemoteUri?: string };
  contextUrl?: string;
}

export interface Project {
  id: string;
  organizationId: string;
  name: string;
  initializers: Initializer[];
  /** Absent when it has none. */
  labels?: Labels;
  createdAt: Date;
}
