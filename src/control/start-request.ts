// Parses a start request in either body form — seed 000's `{taskId[], tag[], customProperty[{name,value}]}` or
// Butler's `[{type, payload}]` — into one TaskSelector plus the key-value pairs to store on the way.
import { z } from "zod";
import { AppError } from "../core/errors";
import { isGuid } from "../qlik/qrs-filter";
import type { TaskSelector } from "./types";

const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item)]).transform((v) => (Array.isArray(v) ? v : [v]) as Array<z.infer<T>>);

const NameValueBodySchema = z.strictObject({ name: z.string().min(1), value: z.coerce.string() });

/** Seed 000's object form. */
export const StartObjectBodySchema = z.strictObject({
  taskId: oneOrMany(z.string()).optional().describe("Task ids (GUIDs)."),
  tag: oneOrMany(z.string().min(1)).optional().describe("Start every task with any of these tags."),
  customProperty: oneOrMany(NameValueBodySchema).optional().describe("Start every task with any of these custom property values."),
});

const KvPayloadSchema = z.object({
  namespace: z.string().min(1),
  key: z.string().min(1),
  value: z.unknown(),
  ttl: z.coerce.number().int().min(0).optional().describe("Milliseconds; 0 or absent = never expires."),
});

/** Butler's array form. */
export const StartItemSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("starttaskid"), payload: z.object({ taskId: z.string() }) }),
  z.object({ type: z.literal("starttasktag"), payload: z.object({ tag: z.string().min(1) }) }),
  z.object({
    type: z.literal("starttaskcustomproperty"),
    payload: z.object({ customPropertyName: z.string().min(1), customPropertyValue: z.coerce.string() }),
  }),
  z.object({ type: z.literal("keyvaluestore"), payload: KvPayloadSchema }),
]);

export const StartArrayBodySchema = z.array(StartItemSchema);

/** Names the first problem of the form the input is in (array → Butler's, object → seed 000's). */
function unionMessage(iss: { input?: unknown; errors?: Array<Array<{ path: PropertyKey[]; message: string }>> }): string {
  const branch = iss.errors?.[Array.isArray(iss.input) ? 0 : 1]?.[0];
  if (!branch) return "expected {taskId[], tag[], customProperty[{name,value}]} or [{type, payload}]";
  const where = branch.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
  return `${where ? `${where}: ` : ""}${branch.message}`;
}

/** Either form, or nothing. */
export const StartBodySchema = z
  .union([StartArrayBodySchema, StartObjectBodySchema], {
    error: (iss) =>
      typeof iss.input !== "object" || iss.input === null
        ? "expected {taskId[], tag[], customProperty[{name,value}]} or [{type, payload}]"
        : unionMessage(iss as Parameters<typeof unionMessage>[0]),
  })
  .optional();
export type StartBody = z.infer<typeof StartBodySchema>;

export interface KvWrite {
  namespace: string;
  key: string;
  value: string;
  ttlMs?: number;
}

export interface ParsedStartRequest {
  selector: Required<TaskSelector>;
  kvWrites: KvWrite[];
}

/** Combines the path id (a GUID, "-" or absent) with the body. */
export function parseStartRequest(pathTaskId: string | undefined, body: StartBody): ParsedStartRequest {
  const selector: Required<TaskSelector> = { taskIds: [], tags: [], customProperties: [] };
  const kvWrites: KvWrite[] = [];
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
          const { namespace, key, value, ttl } = item.payload;
          // Objects were let through by Butler on this path only; store them as JSON text so the value stays a string.
          const text = typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value);
          kvWrites.push({ namespace, key, value: text, ...(ttl ? { ttlMs: ttl } : {}) });
          break;
        }
      }
    }
  } else if (body) {
    selector.taskIds.push(...(body.taskId ?? []));
    selector.tags.push(...(body.tag ?? []));
    selector.customProperties.push(...(body.customProperty ?? []));
  }
  return { selector, kvWrites };
}

/** Seed 000: a malformed id is a 400 with this exact error text, before anything is started. */
export function assertTaskIdsWellFormed(ids: string[]): void {
  const bad = ids.filter((id) => !isGuid(id.trim()));
  if (bad.length === 0) return;
  const shown = bad.slice(0, 10).map((b) => JSON.stringify(b.length > 80 ? `${b.slice(0, 80)}…` : b)).join(", ");
  throw new AppError("BAD_REQUEST", "Invalid task ID format", { details: `Task ID must be a valid GUID; got ${shown}` });
}

export function isEmptySelector(s: TaskSelector): boolean {
  return !s.taskIds?.length && !s.tags?.length && !s.customProperties?.length;
}
