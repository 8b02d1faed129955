import type { HandBrowser } from './browser-by-hand.ts';

/**
 * Walks `browser` from envid's /sso/start through oidc-provider's login and consent pages (its
 * development interactions: any password) as `accountId`, and answers the callback URL the provider
 * sends the browser to, unvisited (or the response where the walk stopped short).
 */
export async function upstreamSignIn(
  browser: HandBrowser,
  startUrl: string,
  accountId: string,
  /** How the first request is made (the device flow's code form is a POST). */
  startInit: { method?: string; form?: Record<string, string> } = {},
): Promise<{ callback?: URL; response: Response }> {
  const isCallback = (next: URL) => next.pathname === '/sso/callback';
  let step = await browser.follow(startUrl, isCallback, startInit);
  for (let pages = 0; pages < 4 && !step.stoppedAt; pages++) {
    const match = /\/interaction\/([^/?#]+)$/.exec(new URL(step.url).pathname);
    if (!match || step.response.status !== 200) return { response: step.response };
    const html = await step.response.text();
    const prompt = /name="prompt" value="(login|consent)"/.exec(html)?.[1];
    if (!prompt) throw new Error(`the upstream's interaction page has no prompt: ${html.slice(0, 200)}`);
    const form: Record<string, string> =
      prompt === 'login' ? { prompt, login: accountId, password: 'any' } : { prompt };
    step = await browser.follow(step.url, isCallback, { method: 'POST', form });
  }
  return step.stoppedAt ? { callback: step.stoppedAt, response: step.response } : { response: step.response };
}
