/** The one failure a mapping raises: a wire value the canonical model cannot represent. Callers report it per item. */
export class MappingError extends Error {
  override readonly name = "MappingError";
  constructor(
    /** Wire field (or canonical field, when mapping outwards) that could not be mapped. */
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`${field}: ${reason} (got ${JSON.stringify(value)})`);
  }
}
