import { CliError, ExitCode } from '../../shared/exit-codes.ts';

/** Each request may take this long; a server that hangs is retried on the next poll, not waited for. */
const timeoutMs = 10_000;
/** Discovery documents and key sets are a few kilobytes; anything this large is not one. */
const maxBytes = 1024 * 1024;

export type Fetched = { changed: false } | { changed: true; body: string; etag: string | undefined };

/**
 * GETs a public document. With `etag` it asks If-None-Match and answers `changed: false` on 304, so a
 * poll of an unchanged key set costs the server a header. Redirects are refused: the documents must be
 * where the discovery document says. `signal` stops a request in flight (SIGINT/SIGTERM).
 */
export async function fetchDocument(
  url: string,
  etag: string | undefined,
  signal?: AbortSignal,
): Promise<Fetched> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json', ...(etag ? { 'if-none-match': etag } : {}) },
      redirect: 'error',
      signal: signal
        ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
        : AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer in ${timeoutMs / 1000} s`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new CliError(`cannot fetch ${url}: ${reason}`, ExitCode.unreachable);
  }
  if (response.status === 304 && etag) return { changed: false };
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new CliError(`${url} answered ${response.status}, not 200`, ExitCode.serverError);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new CliError(
      `${url} answered ${declared} bytes, over the 1 MiB a public document may have`,
      ExitCode.serverError,
    );
  }
  const body = await response.text();
  if (Buffer.byteLength(body) > maxBytes) {
    throw new CliError(`${url} answered over the 1 MiB a public document may have`, ExitCode.serverError);
  }
  return { changed: true, body, etag: response.headers.get('etag') ?? undefined };
}
