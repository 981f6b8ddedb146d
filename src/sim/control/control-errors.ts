// The control API's two refusals (400 with what was wrong in the body, 404 naming what is missing) and the body
// check that raises the first.
import type { z } from "zod";

export class BadRequest extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export class NotFound extends Error {}

export function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success)
    throw new BadRequest(
      "invalid request body",
      r.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`),
    );
  return r.data;
}
