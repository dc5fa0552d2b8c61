// How domain code says "there is no such thing, or it is not yours to see": it never says which,
// and it knows nothing of HTTP. Routes answer it with a 404 (app/utils/permissions.server.ts).

export class NotFoundError extends Error {
  name = "NotFoundError";
}

/** Throws NotFoundError naming what was looked for (for logs and the CLI); usable after `??`. */
export function nothingFound(what: string): never {
  throw new NotFoundError(`${what} was not found, or is not in the units this person may see.`);
}
