/** Form validation with the contract's own request schemas, so the console and the bridge agree on what is valid. */
import type { z } from "zod";

export type Validation<T> = { ok: true; data: T } | { ok: false; errors: Record<string, string> };

/** Parses a draft; on failure, the first message per field path ("endpoint.ewsUrl"). */
export function validate<S extends z.ZodType>(schema: S, draft: unknown): Validation<z.output<S>> {
  const result = schema.safeParse(draft);
  if (result.success) return { ok: true, data: result.data };
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const path = issue.path.join(".");
    errors[path] ??= issue.message;
  }
  return { ok: false, errors };
}

/** Props for a Fluent Field showing the error at `path`, if any. */
export function fieldState(errors: Record<string, string>, path: string) {
  const message = errors[path];
  return message === undefined ? {} : { validationState: "error" as const, validationMessage: message };
}
