// Butler's id conversion routes: GET /v4/base62tobase16 and /v4/base16tobase62 with Butler's answer shape, each
// left out when http.baseConvert switches it off (as Butler's endpoint flags did).
import { z } from "zod";
import { AppError } from "../../core/errors";
import { BaseConvertError, base16ToBase62, base62ToBase16 } from "../../core/base-convert";
import type { Router } from "../route";

/** Qlik ids are 22–32 characters; the cap keeps the quadratic long division far below a millisecond. */
const MAX_DIGITS = 256;

function converted(field: "base62" | "base16", run: () => string): string {
  try {
    return run();
  } catch (err) {
    if (err instanceof BaseConvertError) throw new AppError("BAD_REQUEST", err.message, { details: [{ field: `query.${field}`, message: err.message }] });
    throw err;
  }
}

export function registerBaseConvertRoutes(
  router: Router,
  on: { base62ToBase16: boolean; base16ToBase62: boolean } = { base62ToBase16: true, base16ToBase62: true },
): void {
  if (on.base62ToBase16)
    router.route(
      {
        method: "get",
        path: "/v4/base62tobase16",
        summary: "Converts a base-62 id (alphabet 0-9a-zA-Z) to hex",
        tags: ["butler"],
        scope: "public",
        butlerFlag: "base62ToBase16",
        query: z.object({ base62: z.string().max(MAX_DIGITS) }),
        responses: {
          200: { description: "converted", schema: () => z.object({ base62: z.string(), base16: z.string() }) },
          400: { description: "missing parameter or a character outside 0-9a-zA-Z" },
        },
      },
      (c, { query }) => c.json({ base62: query.base62, base16: converted("base62", () => base62ToBase16(query.base62)) }),
    );

  if (on.base16ToBase62)
    router.route(
      {
        method: "get",
        path: "/v4/base16tobase62",
        summary: "Converts a hex id to base 62 (alphabet 0-9a-zA-Z)",
        tags: ["butler"],
        scope: "public",
        butlerFlag: "base16ToBase62",
        query: z.object({ base16: z.string().max(MAX_DIGITS) }),
        responses: {
          200: { description: "converted", schema: () => z.object({ base16: z.string(), base62: z.string() }) },
          400: { description: "missing parameter or a character outside 0-9a-fA-F" },
        },
      },
      (c, { query }) => c.json({ base16: query.base16, base62: converted("base16", () => base16ToBase62(query.base16)) }),
    );
}
