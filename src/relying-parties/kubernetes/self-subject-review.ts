import { request as plainRequest } from 'node:http';
import { request } from 'node:https';
import { jsonObjectOf, ProviderUnreachableError } from '../support/post-to-provider.ts';

/**
 * Asks the API server who a token authenticates as: a SelfSubjectReview (authentication.k8s.io, what
 * `kubectl auth whoami` sends), v1 (Kubernetes 1.28+) and else v1beta1 (1.27). node:https rather than
 * fetch, because the cluster's CA (--ca-file) must be trusted for this one request only.
 */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

export type ReviewAnswer =
  | { kind: 'accepted'; user: UserInfo }
  /** Authenticated, but RBAC does not let the user review itself (system:basic-user was removed). */
  | { kind: 'forbidden'; message: string }
  | { kind: 'refused'; status: number; message: string };

const reviewPaths = [
  ['authentication.k8s.io/v1', '/apis/authentication.k8s.io/v1/selfsubjectreviews'],
  ['authentication.k8s.io/v1beta1', '/apis/authentication.k8s.io/v1beta1/selfsubjectreviews'],
] as const;

const requestTimeoutMs = 30_000;

export async function reviewSelf(
  server: string,
  token: string,
  ca: string | undefined,
): Promise<ReviewAnswer> {
  let last: ReviewAnswer | undefined;
  for (const [apiVersion, path] of reviewPaths) {
    const answer = await post(
      `${server}${path}`,
      token,
      ca,
      JSON.stringify({ apiVersion, kind: 'SelfSubjectReview' }),
    );
    if (answer.status === 201 || answer.status === 200) {
      return { kind: 'accepted', user: userInfoOf(answer.json) };
    }
    const message =
      typeof answer.json?.['message'] === 'string' ? answer.json['message'] : answer.text.slice(0, 300);
    if (answer.status === 403) return { kind: 'forbidden', message };
    last = { kind: 'refused', status: answer.status, message };
    // 404: this version is not served; the older one may be.
    if (answer.status !== 404) return last;
  }
  return last!;
}

function userInfoOf(json: Record<string, unknown> | undefined): UserInfo {
  const status = (json?.['status'] ?? {}) as { userInfo?: Partial<UserInfo> };
  const info = status.userInfo ?? {};
  return {
    username: typeof info.username === 'string' ? info.username : '',
    ...(typeof info.uid === 'string' ? { uid: info.uid } : {}),
    groups: Array.isArray(info.groups) ? info.groups.filter((group) => typeof group === 'string') : [],
    extra: typeof info.extra === 'object' && info.extra !== null ? info.extra : {},
  };
}

interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown> | undefined;
}

function post(url: string, token: string, ca: string | undefined, body: string): Promise<Answer> {
  const target = new URL(url);
  const send = target.protocol === 'http:' ? plainRequest : request;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      target,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        ...(ca !== undefined && target.protocol === 'https:' ? { ca } : {}),
        timeout: requestTimeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => reject(new ProviderUnreachableError(url, error)));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, text, json: jsonObjectOf(text) });
        });
      },
    );
    outgoing.on('timeout', () => {
      const error = Object.assign(new Error('no answer in time'), { name: 'TimeoutError' });
      outgoing.destroy(error);
    });
    outgoing.on('error', (error) => reject(new ProviderUnreachableError(url, error)));
    outgoing.end(body);
  });
}
