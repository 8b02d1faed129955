/** A JWT's payload, decoded without any check (tests read back what they were given). */
export const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

/** A JSON value as one base64url part of a JWT, to build tokens that are wrong on purpose. */
export const jwtPart = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
