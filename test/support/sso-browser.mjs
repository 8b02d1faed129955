// A browser for `envid login --sso` tests, started by envid as $BROWSER with the sign-in URL: follows
// redirects over real HTTP with a cookie jar per origin, signs in on oidc-provider's development
// interaction pages as $SSO_TEST_ACCOUNT (any password) and consents, and stops at the first page that
// is neither a redirect nor an interaction (the CLI's loopback answer). Writes what it did to
// $SSO_TEST_BROWSER_LOG when set.
import { appendFileSync } from 'node:fs';

const log = (line) => {
  if (process.env.SSO_TEST_BROWSER_LOG) appendFileSync(process.env.SSO_TEST_BROWSER_LOG, `${line}\n`);
};
const jars = new Map();
const jar = (origin) => jars.get(origin) ?? jars.set(origin, new Map()).get(origin);

async function request(url, form) {
  const target = new URL(url);
  const cookies = jar(target.origin);
  const headers = {};
  if (cookies.size > 0) headers.cookie = [...cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(target, {
    method: form ? 'POST' : 'GET',
    headers,
    redirect: 'manual',
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    if (/;\s*max-age=0/i.test(line)) cookies.delete(name);
    else cookies.set(name, pair.slice(at + 1).trim());
  }
  log(`${form ? 'POST' : 'GET'} ${target.origin}${target.pathname} -> ${response.status}`);
  return response;
}

let url = process.argv[2];
// $SSO_TEST_FORGE_FIRST: first call the CLI's loopback with a code of its own and a wrong state, as
// another local process could; the CLI must ignore it and still finish the real sign-in.
if (process.env.SSO_TEST_FORGE_FIRST) {
  const loopback = new URL(new URL(url).searchParams.get('redirect_uri'));
  loopback.search = 'code=forged&state=wrong';
  const forged = await request(loopback.href);
  log(`forged: ${forged.status}`);
  await forged.body?.cancel();
}
let form;
for (let steps = 0; steps < 30; steps++) {
  const response = await request(url, form);
  form = undefined;
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location) {
    await response.body?.cancel();
    url = new URL(location, url).href;
    continue;
  }
  const text = await response.text();
  const prompt = /\/interaction\/[^/?#]+$/.test(new URL(url).pathname)
    ? /name="prompt" value="(login|consent)"/.exec(text)?.[1]
    : undefined;
  if (!prompt) {
    log(`done: ${response.status} ${text.trim().slice(0, 200)}`);
    break;
  }
  form =
    prompt === 'login'
      ? { prompt, login: process.env.SSO_TEST_ACCOUNT ?? 'alice', password: 'any' }
      : { prompt };
}
