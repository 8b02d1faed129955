import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpPost, NoAnswerError } from '../../src/cli/http-post.ts';
import { parseHttpResponse } from '../../src/cli/parse-http-response.ts';

const urlOf = (server: Server | TcpServer) =>
  `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const listen = (server: Server | TcpServer) =>
  new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));

describe('httpPost over a plain socket', () => {
  let http: Server;
  let raw: TcpServer;
  let rawAnswer = '';
  /** Answer, but leave the connection open (as a server that ignores `connection: close` would). */
  let keepOpen = false;
  const openSockets: Socket[] = [];
  const received: { method?: string; url?: string; headers: Record<string, unknown>; body: string }[] = [];

  beforeAll(async () => {
    http = createHttpServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ method: request.method, url: request.url, headers: request.headers, body });
        if (request.url === '/chunked') {
          // No Content-Length: node:http answers chunked.
          response.writeHead(201, { 'content-type': 'application/json' });
          response.write('{"a":');
          setTimeout(() => response.end('"é"}'), 5);
        } else {
          response.writeHead(200, { 'content-type': 'application/json' }).end(`{"echo":${body}}`);
        }
      });
    });
    raw = createTcpServer((socket) => {
      socket.once('data', () => {
        if (keepOpen) {
          openSockets.push(socket);
          socket.write(rawAnswer);
        } else {
          socket.end(rawAnswer);
        }
      });
    });
    await listen(http);
    await listen(raw);
  });
  afterAll(async () => {
    for (const socket of openSockets) socket.destroy();
    await new Promise((resolve) => http.close(resolve));
    await new Promise((resolve) => raw.close(resolve));
  });

  it('sends the method, path, query, headers and body a server reads, and answers status and body', async () => {
    const answer = await httpPost(
      `${urlOf(http)}/api/x?y=1`,
      { 'content-type': 'application/json', authorization: 'Bearer t' },
      '{"ü":1}',
      5000,
    );
    expect(answer).toEqual({ status: 200, text: '{"echo":{"ü":1}}' });
    expect(received.at(-1)).toMatchObject({
      method: 'POST',
      url: '/api/x?y=1',
      headers: { authorization: 'Bearer t', connection: 'close', 'content-length': '8' },
      body: '{"ü":1}',
    });
  });

  it('reads a chunked answer', async () => {
    expect(await httpPost(`${urlOf(http)}/chunked`, {}, '', 5000)).toEqual({
      status: 201,
      text: '{"a":"é"}',
    });
  });

  it('reads an answer framed by the end of the connection, and refuses a truncated one', async () => {
    rawAnswer = 'HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nlater';
    expect(await httpPost(urlOf(raw), {}, '', 5000)).toEqual({ status: 503, text: 'later' });
    rawAnswer = 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort';
    await expect(httpPost(urlOf(raw), {}, '', 5000)).rejects.toThrow(/before the whole answer/);
    rawAnswer = 'SSH-2.0-OpenSSH\r\n\r\n';
    await expect(httpPost(urlOf(raw), {}, '', 5000)).rejects.toThrow(/not an HTTP\/1.1 answer/);
  });

  it('settles on a whole answer even when the server leaves the connection open', async () => {
    keepOpen = true;
    try {
      rawAnswer = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}';
      // Were it waiting for the connection to close, this would end in "no answer in 2 s".
      expect(await httpPost(urlOf(raw), {}, '', 2000)).toEqual({ status: 200, text: '{}' });
      rawAnswer = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n';
      expect(await httpPost(urlOf(raw), {}, '', 2000)).toEqual({ status: 200, text: '{}' });
    } finally {
      keepOpen = false;
    }
  });

  it('refuses a header value with a line break instead of sending it', async () => {
    const before = received.length;
    await expect(httpPost(urlOf(http), { authorization: 'Bearer t\r\nx-evil: 1' }, '', 5000)).rejects.toThrow(
      /line break/,
    );
    expect(received.length).toBe(before);
  });

  it('answers NoAnswerError with the socket error code when nothing listens', async () => {
    const closed = createTcpServer();
    await listen(closed);
    const url = urlOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    const error = await httpPost(url, {}, '', 5000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoAnswerError);
    expect((error as NoAnswerError).reason).toBe('ECONNREFUSED');
  });
});

describe('parseHttpResponse', () => {
  it('decodes chunk extensions and stops at the last chunk', () => {
    const raw = Buffer.from(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n',
    );
    expect(parseHttpResponse(raw, false)).toEqual({ status: 200, text: 'abcde' });
  });

  it('waits for the rest of a partial answer, and refuses it once the connection has ended', () => {
    const partial = [
      ['HTTP/1.1 200 OK\r\nContent-', /before a whole/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab', /inside a chunked answer/],
      ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab', /before the whole answer/],
    ] as const;
    for (const [text, error] of partial) {
      expect(parseHttpResponse(Buffer.from(text), false)).toBeUndefined();
      expect(() => parseHttpResponse(Buffer.from(text), true)).toThrow(error);
    }
    // Framed by the end of the connection: whole only once it has ended.
    const unframed = Buffer.from('HTTP/1.1 200 OK\r\n\r\nab');
    expect(parseHttpResponse(unframed, false)).toBeUndefined();
    expect(parseHttpResponse(unframed, true)).toEqual({ status: 200, text: 'ab' });
    expect(() => parseHttpResponse(Buffer.from('SSH-2.0-OpenSSH'), false)).toThrow(/not an HTTP/);
  });
});
