/** A kid as this product makes them (6 random bytes, base64url); anything else is not a key. Shared with the keys page's form. */
export const KID = /^[A-Za-z0-9_-]{1,64}$/;

/** Other processes may rotate or retire keys; each process re-reads the table this often. */
export const KEYRING_REFRESH_MS = 30_000;

// Link lifetimes, shared with the keys page (which runs in the browser too, so not in a .server module).
export const DEFAULT_LIFETIME_DAYS = 400;
// Recipients open old mail; a shorter-lived unsubscribe link would break that promise.
export const MINIMUM_LIFETIME_DAYS = 60;
// No link outlives this: a retired key is needed for this long after its retirement, no longer.
export const MAXIMUM_LIFETIME_DAYS = DEFAULT_LIFETIME_DAYS;
