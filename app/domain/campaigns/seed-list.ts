/** How many addresses a unit's seed list holds at most (ADR 054): enough for colleagues and a few inbox-rendering accounts. */
export const SEED_LIST_LIMIT = 10;
