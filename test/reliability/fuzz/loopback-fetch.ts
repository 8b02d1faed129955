/**
 * While the fuzz runs, `fetch` (which the SSO issuer check uses) reaches only loopback addresses: a
 * generated issuer URL that passes the input check (any https URL does) must not send a request off
 * this machine. Elsewhere the request fails as an unreachable host would (a TypeError with a cause
 * code), which the issuer check reports as it reports any unreachable issuer. Answers the function
 * that puts the real fetch back.
 */
export function keepFetchOnThisMachine(): () => void {
  const real = globalThis.fetch;
  const loopback = new Set(['127.0.0.1', '[::1]', 'localhost']);
  globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!loopback.has(url.hostname)) {
      return Promise.reject(
        Object.assign(new TypeError('fetch failed'), {
          cause: { code: 'ENOTFOUND (the fuzz stays on 127.0.0.1)' },
        }),
      );
    }
    return real(input, init);
  };
  return () => {
    globalThis.fetch = real;
  };
}
