/**
 * A browser done by hand over real HTTP: fetch without following redirects, a cookie jar per origin
 * (names and values; Max-Age=0 deletes), and the Set-Cookie lines kept for inspection.
 */
export class HandBrowser {
  readonly jars = new Map<string, Map<string, string>>();
  readonly setCookies: string[] = [];

  jar(origin: string): Map<string, string> {
    let jar = this.jars.get(origin);
    if (!jar) {
      jar = new Map();
      this.jars.set(origin, jar);
    }
    return jar;
  }

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const target = new URL(url);
    const jar = this.jar(target.origin);
    const headers: Record<string, string> = {};
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(target, {
      method: init.method ?? 'GET',
      headers,
      redirect: 'manual',
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      if (/;\s*max-age=0/i.test(line)) jar.delete(name);
      else jar.set(name, pair.slice(at + 1).trim());
    }
    return response;
  }

  /**
   * Follows redirects from `url` until one leads to a URL `stop` picks (answered unvisited) or a page
   * answers without a redirect.
   */
  async follow(
    url: string,
    stop: (next: URL) => boolean,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<{ stoppedAt?: URL; response: Response; url: string }> {
    let current = url;
    let response = await this.request(current, init);
    for (let hops = 0; hops < 20; hops++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, url: current };
      const next = new URL(location, current);
      await response.body?.cancel();
      if (stop(next)) return { stoppedAt: next, response, url: current };
      current = next.href;
      response = await this.request(current);
    }
    throw new Error(`more than 20 redirects from ${url}`);
  }
}
