import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';

export interface HttpAnswer {
  status: number;
  text: string;
}

/** Why a request got no answer: a socket error code (ECONNREFUSED, ENOTFOUND, ...) or the timeout. */
export class NoAnswerError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * POSTs a body with node:http (or node:https for https URLs) and answers the status and text. Not global
 * fetch: loading fetch's implementation costs ~20 ms at every start, a third of bare node's start-up,
 * and `envid idp token` is meant to start fast.
 */
export async function httpPost(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<HttpAnswer> {
  const target = new URL(url);
  // node:https loads TLS: only when the host needs it.
  const request = target.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
  const options: RequestOptions = {
    method: 'POST',
    headers: { ...headers, 'content-length': Buffer.byteLength(body) },
    timeout: timeoutMs,
  };
  return new Promise((resolve, reject) => {
    const outgoing = request(target, options, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => reject(new NoAnswerError(describe(error))));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    outgoing.on('timeout', () => {
      outgoing.destroy(new NoAnswerError(`no answer in ${timeoutMs / 1000} s`));
    });
    outgoing.on('error', (error) =>
      reject(error instanceof NoAnswerError ? error : new NoAnswerError(describe(error))),
    );
    outgoing.end(body);
  });
}

const describe = (error: Error & { code?: string }): string => error.code ?? error.message;
