/** What a server answered: its status and its body as text. */
export interface HttpAnswer {
  status: number;
  text: string;
}

/**
 * The status and body of an HTTP/1.x response read so far, once it is whole: framed by Content-Length,
 * chunked Transfer-Encoding, or the end of the connection (RFC 9112 §6.3). Answers undefined while more
 * is to come; throws when `ended` (the server closed the connection) and the answer is cut short, or
 * when it is no HTTP/1.x answer at all.
 */
export function parseHttpResponse(raw: Buffer, ended: boolean): HttpAnswer | undefined {
  const cutShort = (what: string) => {
    if (ended) throw new Error(`the server closed the connection ${what}`);
    return undefined;
  };
  const headerEnd = raw.indexOf('\r\n\r\n');
  if (headerEnd < 0) {
    if (raw.length >= 5 && !raw.subarray(0, 5).equals(Buffer.from('HTTP/'))) throw notHttp(raw);
    return cutShort('before a whole HTTP answer');
  }
  const [statusLine = '', ...headerLines] = raw.subarray(0, headerEnd).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!status) throw notHttp(raw);
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body: Buffer | undefined = raw.subarray(headerEnd + 4);
  if (/\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')) {
    body = decodeChunked(body);
    if (!body) return cutShort('inside a chunked answer');
  } else if (headers.has('content-length')) {
    const length = Number(headers.get('content-length'));
    if (!Number.isInteger(length) || length < 0) throw new Error('malformed Content-Length in the answer');
    if (body.length < length) return cutShort('before the whole answer');
    body = body.subarray(0, length);
  } else if (!ended) {
    // Framed by the end of the connection.
    return undefined;
  }
  return { status: Number(status[1]), text: body.toString('utf8') };
}

const notHttp = (raw: Buffer) =>
  new Error(
    `not an HTTP/1.1 answer: ${JSON.stringify(raw.subarray(0, 40).toString('latin1').split('\r\n')[0])}`,
  );

/** The chunks' content once the last chunk has come, else undefined. */
function decodeChunked(encoded: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = encoded.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    // The size may carry extensions after a semicolon.
    const size = Number.parseInt(encoded.subarray(at, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (Number.isNaN(size)) throw new Error('malformed chunked answer');
    if (size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    if (encoded.length < start + size + 2) return undefined;
    parts.push(encoded.subarray(start, start + size));
    at = start + size + 2;
  }
}
