// Config of the persistent key-value store: on by default, with limits that protect the store from a
// runaway load script (Butler's limits were never enforced).
import { z } from "zod";

/**
 * Names PostgreSQL can index: its primary-key index takes entries of at most 2,704 bytes, and an entry holds the
 * namespace and the key. Each name may have KV_NAME_MAX_BYTES, both together KV_NAMES_MAX_BYTES (headers aside).
 */
export const KV_NAME_MAX_BYTES = 2048;
export const KV_NAMES_MAX_BYTES = 2600;

export const kvSchema = () =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Serve the Butler-compatible /v4/keyvalues routes and keep the store."),
      maxNamespaces: z
        .number()
        .int()
        .min(1)
        .max(1_000_000)
        .default(1000)
        .describe(
          "Most namespaces holding keys at once; a new one beyond this gets 409. Emptied namespaces stay listed until this many are listed, then the oldest empty ones make room.",
        ),
      maxKeysPerNamespace: z.number().int().min(1).max(10_000_000).default(1000).describe("Most keys per namespace; a new key beyond this gets 409."),
      // Butler stored any key and value that fit in its 1 MB request body; a load script written for it must keep working.
      maxKeyBytes: z
        .number()
        .int()
        .min(1)
        .max(KV_NAME_MAX_BYTES)
        .default(KV_NAME_MAX_BYTES)
        .describe(
          "Longest key and namespace name, in UTF-8 bytes (at most 2048; a namespace and a key together at most 2600, what PostgreSQL can index); longer gets 413.",
        ),
      maxValueBytes: z
        .number()
        .int()
        .min(1)
        .max(16 * 1024 * 1024)
        .default(1024 * 1024)
        .describe(
          "Largest value as stored (its JSON text, a string's quotes aside: a control character counts the 6 bytes of its escape), in UTF-8 bytes; larger gets 413. The default holds anything Butler's 1 MB request limit let through.",
        ),
      maxTotalBytes: z
        .number()
        .int()
        .min(1024 * 1024)
        .max(1024 ** 4)
        .default(512 * 1024 * 1024)
        .describe("Most bytes the store holds in all (names, keys and values, until expired keys are purged; default 512 MiB); a write beyond it gets 409."),
      purgeIntervalMs: z
        .number()
        .int()
        .min(100)
        .max(86_400_000)
        .default(60_000)
        .describe(
          "Longest time between purges of expired keys on PostgreSQL (another Steward may write a key that expires sooner). Purges also run when the next key expires; on SQLite only then, with a look an hour at most.",
        ),
    })
    .describe("Key-value store with TTL for passing parameters between reload tasks; survives restarts.");
/** For tests and scripts: built on first use and kept. Steward builds it per parse (kvSchema()), so it is dropped after. */
export const KvSchema = z.lazy(kvSchema);

export type KvConfig = z.infer<ReturnType<typeof kvSchema>>;
