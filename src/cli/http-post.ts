import type { IncomingMessage, RequestOptions } from 'node:http';
import { connect } from 'node:net';
import { type HttpAnswer, parseHttpResponse } from './parse-http-response.ts';

export type { HttpAnswer } from './parse-http-response.ts';

/** Why a request got no answer: a socket error code (ECONNREFUSED, ENOTFOUND, ...) or the timeout. */
export class NoAnswerError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * POSTs a body and answers the status and text. `envid idp token` is meant to start fast (issue 4: at
 * most 1.6x bare node), and a fresh process pays for every module it loads and every code path it runs
 * once: so an http: URL gets one HTTP/1.1 request with `Connection: close` written on a plain socket
 * (measured: ~5 ms less than node:http's client, and fetch costs ~20 ms more to load). https: URLs go
 * through node:https, whose TLS costs more than any of this anyway.
 */
export function httpPost(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<HttpAnswer> {
  const target = new URL(url);
  if (target.protocol === 'https:') return postWithHttps(target, headers, body, timeoutMs);
  if (target.protocol !== 'http:') {
    return Promise.reject(new NoAnswerError(`unsupported protocol ${target.protocol} (use http: or https:)`));
  }
  return postOverSocket(target, headers, body, timeoutMs);
}

function postOverSocket(
  target: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<HttpAnswer> {
  const lines = [
    `POST ${target.pathname}${target.search} HTTP/1.1`,
    `host: ${target.host}`,
    'connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    `content-length: ${Buffer.byteLength(body)}`,
  ];
  // A value with a line break would smuggle in headers of its own (node:http refuses them too).
  if (lines.some((line) => /[\r\n]/.test(line))) {
    return Promise.reject(new NoAnswerError('a header value holds a line break'));
  }
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port || 80), target.hostname.replace(/^\[(.*)\]$/, '$1'));
    const chunks: Buffer[] = [];
    let settled = false;
    // A whole answer settles at once, even from a server that keeps the connection open after it.
    const settle = (ended: boolean) => {
      if (settled) return;
      try {
        const answer = parseHttpResponse(Buffer.concat(chunks), ended);
        if (!answer) return;
        settled = true;
        resolve(answer);
        socket.destroy();
      } catch (error) {
        settled = true;
        reject(new NoAnswerError((error as Error).message));
        socket.destroy();
      }
    };
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new NoAnswerError(`no answer in ${timeoutMs / 1000} s`)),
    );
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      settle(false);
    });
    socket.on('error', (error: Error & { code?: string }) => {
      if (settled) return;
      settled = true;
      reject(error instanceof NoAnswerError ? error : new NoAnswerError(describe(error)));
    });
    socket.on('end', () => settle(true));
    // Not end(): a server that sees the request side closed may close before it has answered (node:http
    // does). With `connection: close` the server closes once it has answered, and so does this socket.
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}

async function postWithHttps(
  target: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<HttpAnswer> {
  const { request } = await import('node:https');
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
