// An error the CLI shows as it stands: `code` is a Prisma error code (P1003,
// ...) and `meta` its details, as the native engine reports them.
export class UserFacingError extends Error {
  constructor(code, message, meta) {
    super(message);
    this.code = code;
    this.meta = meta;
  }
}
