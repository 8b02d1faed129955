import type { HttpAnswer } from './http-post.ts';

/**
 * The status and body of a whole HTTP/1.x response as read until the server closed the connection
 * (the request said `Connection: close`): the body is framed by Content-Length, chunked
 * Transfer-Encoding, or the end of the connection (RFC 9112 §6.3).
 */
export function parseHttpResponse(raw: Buffer): HttpAnswer {
  const headerEnd = raw.indexOf('\r\n\r\n');
  if (headerEnd < 0) throw new Error('the server closed the connection before a whole HTTP answer');
  const [statusLine = '', ...headerLines] = raw.subarray(0, headerEnd).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!status) throw new Error(`not an HTTP/1.1 answer: ${JSON.stringify(statusLine.slice(0, 40))}`);
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = raw.subarray(headerEnd + 4);
  if (/\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')) {
    body = decodeChunked(body);
  } else if (headers.has('content-length')) {
    const length = Number(headers.get('content-length'));
    if (!Number.isInteger(length) || length < 0 || body.length < length) {
      throw new Error('the server closed the connection before the whole answer');
    }
    body = body.subarray(0, length);
  }
  return { status: Number(status[1]), text: body.toString('utf8') };
}

function decodeChunked(encoded: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = encoded.indexOf('\r\n', at);
    if (lineEnd < 0) throw new Error('the server closed the connection inside a chunked answer');
    // The size may carry extensions after a semicolon.
    const size = Number.parseInt(encoded.subarray(at, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (Number.isNaN(size)) throw new Error('malformed chunked answer');
    if (size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    if (encoded.length < start + size + 2) {
      throw new Error('the server closed the connection inside a chunked answer');
    }
    parts.push(encoded.subarray(start, start + size));
    at = start + size + 2;
  }
}
