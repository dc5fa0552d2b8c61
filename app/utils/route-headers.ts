import type { HeadersFunction } from "@remix-run/node";

/**
 * Remix applies a route's own response headers (Cache-Control, Retry-After) only through a
 * `headers` export: this passes the loader's on, with the action's winning after a POST.
 */
export const passThroughHeaders: HeadersFunction = ({ loaderHeaders, actionHeaders }) => {
  const headers = new Headers(loaderHeaders);
  actionHeaders.forEach((value, key) => headers.set(key, value));
  return headers;
};
