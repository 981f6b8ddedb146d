// Parses a start request in either body form — seed 000's `{taskId[], tag[], customProperty[{name,value}]}` or
// Butler's `[{type, payload}]` — into one TaskSelector plus the key-value pairs to store on the way.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { AppError } from "../../platform/core/errors";
import { butlerText, butlerTtl, storedTtl } from "../../platform/core/butler-values";
import { MAX_TTL_MS } from "../../platform/store/key-value";
import { isGuid } from "../../platform/qlik/qrs-filter";
import type { TaskSelector } from "./types";

const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item)]).transform((v) => (Array.isArray(v) ? v : [v]) as Array<z.infer<T>>);

const NameValueBodySchema = z.lazy(() => z.strictObject({ name: z.string().min(1), value: butlerText }));

/** Seed 000's object form. */
export const StartObjectBodySchema = z.lazy(() =>
  z.strictObject({
    taskId: oneOrMany(z.string()).optional().describe("Task ids (GUIDs)."),
    tag: oneOrMany(z.string().min(1)).optional().describe("Start every task with any of these tags."),
    customProperty: oneOrMany(NameValueBodySchema).optional().describe("Start every task with any of these custom property values."),
  }),
);

/**
 * A `keyvaluestore` item is checked one by one when the request is parsed (checkKvItem): a bad one is skipped and
 * reported, and the tasks still start, as with Butler. Only its shape is required here.
 */
const KvPayloadSchema = z.lazy(() =>
  z.looseObject({
    namespace: z.unknown().optional(),
    key: z.unknown().optional(),
    value: z.unknown().optional(),
    ttl: z.unknown().optional().describe('Milliseconds (a number or its text); 0, negative, "" or absent = never expires.'),
  }),
);

/** Butler's array form. */
export const StartItemSchema = z.lazy(() =>
  z.discriminatedUnion("type", [
    z.object({ type: z.literal("starttaskid"), payload: z.object({ taskId: butlerText }) }),
    z.object({ type: z.literal("starttasktag"), payload: z.object({ tag: butlerText.pipe(z.string().min(1)) }) }),
    z.object({
      type: z.literal("starttaskcustomproperty"),
      payload: z.object({ customPropertyName: butlerText.pipe(z.string().min(1)), customPropertyValue: butlerText }),
    }),
    z.object({ type: z.literal("keyvaluestore"), payload: KvPayloadSchema }),
  ]),
);

export const StartArrayBodySchema = z.lazy(() => z.array(StartItemSchema));

/** Names the first problem of the form the input is in (array → Butler's, object → seed 000's). */
function unionMessage(iss: { input?: unknown; errors?: Array<Array<{ path: PropertyKey[]; message: string }>> }): string {
  const branch = iss.errors?.[Array.isArray(iss.input) ? 0 : 1]?.[0];
  if (!branch) return "expected {taskId[], tag[], customProperty[{name,value}]} or [{type, payload}]";
  const where = branch.path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
    .join("")
    .replace(/^\./, "");
  return `${where ? `${where}: ` : ""}${branch.message}`;
}

/** Either form, or nothing. */
export const StartBodySchema = z.lazy(() =>
  z
    .union([StartArrayBodySchema, StartObjectBodySchema], {
      error: (iss) =>
        typeof iss.input !== "object" || iss.input === null
          ? "expected {taskId[], tag[], customProperty[{name,value}]} or [{type, payload}]"
          : unionMessage(iss as Parameters<typeof unionMessage>[0]),
    })
    .optional(),
);
export type StartBody = z.infer<typeof StartBodySchema>;

export interface KvWrite {
  namespace: string;
  key: string;
  value: string;
  ttlMs?: number;
}

/** A `keyvaluestore` item that was not stored, and why. */
export interface KvSkipped {
  namespace?: string;
  key?: string;
  reason: string;
}

export interface ParsedStartRequest {
  selector: Required<TaskSelector>;
  kvWrites: KvWrite[];
  kvSkipped: KvSkipped[];
  /** Ids from the object form's taskId (seed 000: a malformed one there is a 400, see assertTaskIdsWellFormed). */
  objectFormIds: string[];
}

const nameOf = (v: unknown): string | undefined => {
  const r = butlerText.safeParse(v);
  return r.success && r.data.length > 0 ? r.data : undefined;
};

/** One `keyvaluestore` payload: the write, or why it is skipped (no namespace, key or value; a bad TTL). */
export function checkKvItem(payload: { namespace?: unknown; key?: unknown; value?: unknown; ttl?: unknown }): KvWrite | KvSkipped {
  const namespace = nameOf(payload.namespace);
  const key = nameOf(payload.key);
  const where = { ...(namespace !== undefined ? { namespace } : {}), ...(key !== undefined ? { key } : {}) };
  if (namespace === undefined) return { ...where, reason: "namespace: missing or empty" };
  if (key === undefined) return { ...where, reason: "key: missing or empty" };
  const { value } = payload;
  if (value === undefined || value === null) return { ...where, reason: "value: missing" };
  const ttl = payload.ttl === undefined ? { success: true as const, data: 0 } : butlerTtl.safeParse(payload.ttl);
  if (!ttl.success) return { ...where, reason: `ttl: ${ttl.error.issues[0]?.message ?? "not a number"}` };
  if (ttl.data > MAX_TTL_MS) return { ...where, reason: `ttl: more than ${MAX_TTL_MS} ms (10 years)` };
  // Objects were let through by Butler on this path only; store them as JSON text so the value stays a string.
  const text = typeof value === "string" ? value : typeof value === "object" ? jsonText(value) : String(value);
  if (text === undefined) return { ...where, reason: "value: nested too deeply to store as text" };
  const ms = storedTtl(ttl.data);
  return { namespace, key, value: text, ...(ms > 0 ? { ttlMs: ms } : {}) };
}

/**
 * The value as JSON text, or undefined when writing it overflows the stack: the body's parser is not recursive, so a
 * value 100,000 levels deep (a 200 KB body) arrives parsed, and JSON.stringify is recursive.
 */
function jsonText(value: object): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}

/**
 * Combines the path id with the body. The path holds a task id, "-" (body only) or anything else: Butler's docs
 * tell users to put a placeholder word there when they start by tag, and Butler lists it as an invalid id and
 * starts the rest; so does Steward (the starter reports non-GUIDs as invalid).
 */
export function parseStartRequest(pathTaskId: string | undefined, body: StartBody): ParsedStartRequest {
  const selector: Required<TaskSelector> = { taskIds: [], tags: [], customProperties: [] };
  const kvWrites: KvWrite[] = [];
  const kvSkipped: KvSkipped[] = [];
  const objectFormIds: string[] = [];
  if (pathTaskId !== undefined && pathTaskId !== "-") selector.taskIds.push(pathTaskId);
  if (Array.isArray(body)) {
    for (const item of body) {
      switch (item.type) {
        case "starttaskid":
          selector.taskIds.push(item.payload.taskId);
          break;
        case "starttasktag":
          selector.tags.push(item.payload.tag);
          break;
        case "starttaskcustomproperty":
          selector.customProperties.push({ name: item.payload.customPropertyName, value: item.payload.customPropertyValue });
          break;
        case "keyvaluestore": {
          const checked = checkKvItem(item.payload);
          if ("reason" in checked) kvSkipped.push(checked);
          else kvWrites.push(checked);
          break;
        }
      }
    }
  } else if (body) {
    objectFormIds.push(...(body.taskId ?? []));
    selector.taskIds.push(...(body.taskId ?? []));
    selector.tags.push(...(body.tag ?? []));
    selector.customProperties.push(...(body.customProperty ?? []));
  }
  return { selector, kvWrites, kvSkipped, objectFormIds };
}

/**
 * Seed 000's object form: a malformed id in `taskId` is a 400 with this exact error text, before anything is
 * started. (Butler's forms — the path and `starttaskid` items — list it as invalid instead.)
 */
export function assertTaskIdsWellFormed(ids: string[]): void {
  const bad = ids.filter((id) => !isGuid(id.trim()));
  if (bad.length === 0) return;
  const shown = bad
    .slice(0, 10)
    .map((b) => JSON.stringify(b.length > 80 ? `${b.slice(0, 80)}…` : b))
    .join(", ");
  throw new AppError("BAD_REQUEST", "Invalid task ID format", { details: `Task ID must be a valid GUID; got ${shown}` });
}

export function isEmptySelector(s: TaskSelector): boolean {
  return !s.taskIds?.length && !s.tags?.length && !s.customProperties?.length;
}
