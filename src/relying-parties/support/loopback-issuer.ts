/**
 * An issuer on this machine (`http://127.0.0.1:8080`, `http://localhost:…`, `[::1]`): a local envid
 * that no cloud provider can reach. `envid idp check` still applies the trust rules to its tokens, so
 * that a trust configuration can be rehearsed against a local server, but not the rules about the
 * issuer's form (https, no port), which only a public issuer can meet; it says so in a warning.
 */
export function isLoopbackIssuer(issuer: string): boolean {
  try {
    const { hostname } = new URL(issuer);
    return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
  } catch {
    return false;
  }
}

export function loopbackWarning(issuer: string, provider: string): string {
  return `iss ${issuer} is on this machine: ${provider} cannot fetch its keys, so only the trust rules were checked (not https or the issuer's form)`;
}
