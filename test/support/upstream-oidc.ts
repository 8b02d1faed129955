import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';

/**
 * panva's oidc-provider (a certified OpenID provider, not a stand-in) on 127.0.0.1, port 0: the
 * upstream SSO of the SSO tests. Its client is `client` (and `other`, for wrong-audience tests); its accounts release email,
 * preferred_username and groups.
 */
export interface UpstreamAccount {
  sub: string;
  email: string;
  email_verified?: boolean;
  /** Entra ID's "e-mail domain owner verified" optional claim, sent instead of email_verified. */
  xms_edov?: boolean;
  preferred_username?: string;
  groups?: string[];
}

export interface Upstream {
  issuer: string;
  client: { id: string; secret: string };
  accounts: Map<string, UpstreamAccount>;
  /**
   * What the upstream gets wrong on purpose, while set: `idTokenAudience` signs the ID tokens it
   * issues for that audience instead of the client that asked (validly signed, wrongly addressed).
   */
  tamper: { idTokenAudience?: string };
  close(): Promise<void>;
}

export async function startUpstream(
  options: { redirectUris?: string[]; clientId?: string; idTokenTtlSeconds?: number } = {},
): Promise<Upstream> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const issuer = `http://127.0.0.1:${port}`;
  const client = { id: options.clientId ?? 'envid', secret: 'upstream-client-secret-0123456789' };
  const accounts = new Map<string, UpstreamAccount>();
  const provider = new Provider(issuer, {
    // `other` is a second client with the same secret: a code made for one is not the other's.
    clients: [client.id, 'other'].map((client_id) => ({
      client_id,
      client_secret: client.secret,
      redirect_uris: options.redirectUris ?? ['http://127.0.0.1/sso/callback'],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    })),
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified', 'xms_edov'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    scopes: ['openid', 'email', 'profile', 'groups'],
    conformIdTokenClaims: false,
    ttl: { IdToken: options.idTokenTtlSeconds ?? 3600 },
    pkce: { required: () => true },
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ email_verified: true, ...account }) };
    },
  });
  const tamper: Upstream['tamper'] = {};
  // oidc-provider takes an ID token's `aud` from its client's ID: while tampering, the token sees a
  // client whose ID is the other audience (everything else, keys and algorithms, is the real one's).
  type IdTokenIssue = (this: { client: object }, options?: { use?: string }) => Promise<string>;
  const idTokens = (provider as unknown as { IdToken: { prototype: { issue: IdTokenIssue } } }).IdToken
    .prototype;
  const issue = idTokens.issue;
  idTokens.issue = async function (this: { client: object }, options) {
    const audience = tamper.idTokenAudience;
    if (options?.use !== 'idtoken' || audience === undefined) return issue.call(this, options);
    const real = this.client;
    this.client = new Proxy(real, {
      get(target, key) {
        if (key === 'clientId') return audience;
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    try {
      return await issue.call(this, options);
    } finally {
      this.client = real;
    }
  };
  server.on('request', provider.callback());
  return {
    issuer,
    client,
    accounts,
    tamper,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
