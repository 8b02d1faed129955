import type { FastifyRequest } from 'fastify';
import { invalidArgument } from '../../core/errors.ts';
import type { Page, PageRequest } from '../../store/store.ts';

/**
 * The page a list call asks for. Connect clients send `pagination: {pageSize, token}` in the body; the
 * official SDK sends the next page's cursor as the query parameter `token` (and may send `pageSize`
 * there too), keeping the first request's body. The query's token wins, the body's page size wins.
 */
export function pageRequest(
  body: { pageSize?: number | undefined; token?: string | undefined } | undefined,
  request: FastifyRequest,
): PageRequest {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const token = queryText(query, 'token') ?? body?.token;
  const pageSize = body?.pageSize ?? queryPageSize(query);
  return {
    ...(token !== undefined && token !== '' ? { token } : {}),
    ...(pageSize !== undefined ? { pageSize } : {}),
  };
}

function queryText(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidArgument(name, 'must be given at most once in the query');
  return value;
}

function queryPageSize(query: Record<string, unknown>): number | undefined {
  const value = queryText(query, 'pageSize');
  if (value === undefined || value === '') return undefined;
  const size = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!(size >= 1 && size <= 100)) throw invalidArgument('pageSize', 'must be between 1 and 100');
  return size;
}

/** A list answer: `{<key>: [...], pagination: {nextToken}}`; the last page has no `nextToken`. */
export function pageResponse<R, T, K extends string>(
  key: K,
  page: Page<R>,
  convert: (record: R) => T,
): { [P in K]: T[] } & { pagination: { nextToken?: string } } {
  return {
    [key]: page.items.map(convert),
    pagination: page.nextToken ? { nextToken: page.nextToken } : {},
  } as { [P in K]: T[] } & { pagination: { nextToken?: string } };
}
