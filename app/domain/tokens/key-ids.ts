/** A kid as this product makes them (6 random bytes, base64url); anything else is not a key. Shared with the keys page's form. */
export const KID = /^[A-Za-z0-9_-]{1,64}$/;

/** Other processes may rotate or retire keys; each process re-reads the table this often. */
export const KEYRING_REFRESH_MS = 30_000;
