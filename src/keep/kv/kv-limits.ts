// The key-value store's limits on one write: names, TTL and value size checked before the store is asked, and
// the words of the 409 a store-wide limit answers with (the same on SQLite and PostgreSQL).
import { AppError } from "../../platform/core/errors";
import { KV_NAMES_MAX_BYTES, type KvConfig } from "./config";
import { unstorableNameReason } from "./kv-names";
import type { SetOutcome } from "./postgres-writes";

import { MAX_TTL_MS } from "../../platform/store/key-value";

export { MAX_TTL_MS };

export const utf8Bytes = (s: string) => Buffer.byteLength(s, "utf8");

function checkName(cfg: KvConfig, what: "namespace" | "key", name: string): void {
  if (name.length === 0) throw new AppError("BAD_REQUEST", `${what}: must not be empty`, { details: { field: what } });
  const unstorable = unstorableNameReason(name);
  if (unstorable) throw new AppError("BAD_REQUEST", `${what}: ${unstorable}`, { details: { field: what } });
  const n = utf8Bytes(name);
  if (n > cfg.maxKeyBytes) {
    throw new AppError("PAYLOAD_TOO_LARGE", `${what} is ${n} bytes; the limit is ${cfg.maxKeyBytes} bytes (kv.maxKeyBytes)`, {
      details: { field: what, bytes: n, limit: cfg.maxKeyBytes },
    });
  }
}

/** Checks a set's names, TTL and value against the per-write limits; returns the value's stored JSON text and size. */
export function checkSet(cfg: KvConfig, namespace: string, key: string, value: unknown, ttlMs: number): { text: string; size: number } {
  checkName(cfg, "namespace", namespace);
  checkName(cfg, "key", key);
  const names = utf8Bytes(namespace) + utf8Bytes(key);
  if (names > KV_NAMES_MAX_BYTES) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `namespace and key together are ${names} bytes; the limit is ${KV_NAMES_MAX_BYTES} bytes (what PostgreSQL can index)`,
      {
        details: { field: "key", bytes: names, limit: KV_NAMES_MAX_BYTES },
      },
    );
  }
  if (!Number.isInteger(ttlMs) || ttlMs < 0 || ttlMs > MAX_TTL_MS) {
    throw new AppError("BAD_REQUEST", `ttl: must be a whole number of milliseconds from 0 to ${MAX_TTL_MS}`, { details: { field: "ttl" } });
  }
  const text = JSON.stringify(value ?? null);
  // Counted as stored: the JSON text's UTF-8 bytes (a control character is kept as a 6-byte escape), a
  // string's two enclosing quotes aside.
  const size = typeof value === "string" ? utf8Bytes(text) - 2 : utf8Bytes(text);
  if (size > cfg.maxValueBytes) {
    throw new AppError("PAYLOAD_TOO_LARGE", `value is ${size} bytes; the limit is ${cfg.maxValueBytes} bytes (kv.maxValueBytes)`, {
      details: { field: "value", bytes: size, limit: cfg.maxValueBytes },
    });
  }
  return { text, size };
}

/** The 409 for a set a store-wide limit refused. */
export function limitError(cfg: KvConfig, r: Exclude<SetOutcome, { outcome: "ok" }>, namespace: string, key: string): AppError {
  switch (r.outcome) {
    case "total":
      return new AppError(
        "CONFLICT",
        `cannot store ${namespace}/${key}: the key-value store would hold ${r.after} bytes, over its limit of ${cfg.maxTotalBytes} bytes (kv.maxTotalBytes); delete keys or namespaces first`,
        {
          details: { limit: cfg.maxTotalBytes, setting: "kv.maxTotalBytes", bytes: r.after },
        },
      );
    case "namespaces":
      return new AppError(
        "CONFLICT",
        `cannot create namespace '${namespace}': the store already holds the maximum of ${cfg.maxNamespaces} namespaces (kv.maxNamespaces); delete one first`,
        {
          details: { limit: cfg.maxNamespaces, setting: "kv.maxNamespaces" },
        },
      );
    case "keys":
      return new AppError(
        "CONFLICT",
        `cannot add key '${key}': namespace '${namespace}' already holds the maximum of ${cfg.maxKeysPerNamespace} keys (kv.maxKeysPerNamespace); delete keys first`,
        {
          details: { limit: cfg.maxKeysPerNamespace, setting: "kv.maxKeysPerNamespace" },
        },
      );
  }
}
