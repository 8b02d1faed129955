import { describe, expect, it } from 'vitest';
import { acceptsSigningAlgorithm } from '../../src/relying-parties/signing-algorithms.ts';

describe('signing algorithms each relying party accepts', () => {
  it('Azure takes RS256 only; AWS, Google, Vault and Kubernetes take RS256 and ES256', () => {
    expect(acceptsSigningAlgorithm('azure', 'RS256')).toBe(true);
    expect(acceptsSigningAlgorithm('azure', 'ES256')).toBe(false);
    for (const rp of ['aws', 'gcp', 'vault', 'kubernetes'] as const) {
      expect(acceptsSigningAlgorithm(rp, 'RS256')).toBe(true);
      expect(acceptsSigningAlgorithm(rp, 'ES256')).toBe(true);
    }
  });
});
