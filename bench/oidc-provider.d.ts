// oidc-provider ships no types; only what the bench and the SSO tests use.
declare module 'oidc-provider' {
  import type { IncomingMessage, Server, ServerResponse } from 'node:http';
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    listen(port: number, host: string, callback: () => void): Server;
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
  }
}
