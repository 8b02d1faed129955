import { z } from 'zod';
import type { Initializer } from '../../../store/records.ts';

/**
 * Environment initializers in the API's shape (`initializer: {specs: [{git: {...}, contextUrl: {url}}]}`)
 * and in the store's (docs/tokens.md: git remote_uri, upstream_remote_uri, context_url). Git's other fields
 * (checkoutLocation, cloneTarget, targetMode) are accepted for compatibility and not kept: nothing in
 * envid reads them.
 */

export const maxInitializerSpecs = 10;

/** A git remote: a URL or scp-like `git@host:org/repo.git`, so only shape and size are checked. */
const remote = () =>
  z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(2048, { error: 'must be at most 2048 characters' })
    .regex(/^\S+$/, { error: 'must not contain whitespace' });

const httpUrl = () =>
  z
    .string()
    .max(2048, { error: 'must be at most 2048 characters' })
    .refine((value) => /^https?:\/\/\S+$/.test(value) && URL.canParse(value), {
      error: 'must be an http or https URL',
    });

const gitSpec = z.object({
  remoteUri: remote(),
  upstreamRemoteUri: remote().optional(),
  checkoutLocation: z.string().optional(),
  cloneTarget: z.string().optional(),
  targetMode: z.string().optional(),
});

const spec = z
  .object({
    git: gitSpec.optional(),
    contextUrl: z.object({ url: httpUrl() }).optional(),
  })
  .refine((value) => value.git !== undefined || value.contextUrl !== undefined, {
    error: 'must have git or contextUrl',
  });

export const initializerInput = z.object({
  specs: z
    .array(spec)
    .max(maxInitializerSpecs, { error: `must have at most ${maxInitializerSpecs} entries` })
    .optional(),
});

export type InitializerInput = z.infer<typeof initializerInput>;

export function initializersFromApi(input: InitializerInput | undefined): Initializer[] {
  return (input?.specs ?? []).map((entry) => {
    const initializer: Initializer = {};
    if (entry.git) {
      initializer.git = {
        remoteUri: entry.git.remoteUri,
        ...(entry.git.upstreamRemoteUri ? { upstreamRemoteUri: entry.git.upstreamRemoteUri } : {}),
      };
    }
    if (entry.contextUrl) initializer.contextUrl = entry.contextUrl.url;
    return initializer;
  });
}

export function initializersToApi(initializers: Initializer[]) {
  return {
    specs: initializers.map((initializer) => ({
      ...(initializer.git
        ? {
            git: {
              ...(initializer.git.remoteUri ? { remoteUri: initializer.git.remoteUri } : {}),
              ...(initializer.git.upstreamRemoteUri
                ? { upstreamRemoteUri: initializer.git.upstreamRemoteUri }
                : {}),
            },
          }
        : {}),
      ...(initializer.contextUrl ? { contextUrl: { url: initializer.contextUrl } } : {}),
    })),
  };
}
