import { generateKeyPairSync, sign } from 'node:crypto';

/** A signing input the size of a typical V3 environment token (header.payload, base64url). */
export function typicalSigningInput(): Buffer {
  const header = { alg: 'RS256', typ: 'JWT', kid: 'bench-key-0000000000000000' };
  const id = '3f1e8a9c-2b7d-4c5e-9f10-1a2b3c4d5e6f';
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: 'https://envid.example.com',
    sub: `org:${id}:prj:${id}:env:${id}`,
    aud: 'sts.amazonaws.com',
    iat: now,
    nbf: now - 30,
    exp: now + 3600,
    jti: id,
    org: id,
    principal: 'environment',
    environment_id: id,
    project_id: id,
    runner_id: id,
    creator: { principal: 'user', id, email: 'ada@example.com' },
  };
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return Buffer.from(`${encode(header)}.${encode(payload)}`);
}

/**
 * Baseline A: how many RS256 signatures (2048-bit key, synchronous `node:crypto` sign) one core makes
 * per second, on the same machine and in the same run as the servers.
 */
export function measureRawSigning(seconds: number): { perSecond: number; count: number } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const input = typicalSigningInput();
  for (let i = 0; i < 200; i++) sign('RSA-SHA256', input, privateKey); // warm-up
  let count = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 50; i++) sign('RSA-SHA256', input, privateKey);
    count += 50;
    now = performance.now();
  }
  return { perSecond: count / ((now - start) / 1000), count };
}
