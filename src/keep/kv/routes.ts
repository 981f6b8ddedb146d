// Butler-compatible key-value routes (/v4/keyvaluesnamespaces, /v4/keyvalues, /v4/keylist) with the same
// request and response bodies; not-found is 404 (Butler: 400) and the key list is JSON, not a JSON string.
// A namespace lives from its first key until it is deleted, so an emptied one still lists (with no keys).
import { auditActorOf } from "../../platform/http/audit-actor";
import { z } from "zod";
import { AppError } from "../../platform/core/errors";
import type { Router } from "../../platform/http/route";
import { butlerText, butlerTtl, storedTtl } from "../../platform/core/butler-values";
import { KvNameSchema } from "./kv-names";
import { MAX_TTL_MS, type KvStore } from "./kv-store";

// A name no store can keep is refused (400 naming it) before it reaches the store, on reads too.
const NamespaceParamsSchema = z.strictObject({ namespace: KvNameSchema });
const KeyParamsSchema = z.strictObject({ namespace: KvNameSchema, key: KvNameSchema });
const KeyQuerySchema = z.object({ key: KvNameSchema.describe("The key to look up.") });

/** Butler's Fastify coerced scalar values to strings and TTLs to numbers; so do we. */
const KvPostBodySchema = z.strictObject({
  key: butlerText.pipe(KvNameSchema).describe("Key to set."),
  value: butlerText.optional().describe("Value to store (a string; numbers and booleans are stored as their text)."),
  ttl: butlerTtl
    .pipe(z.number().max(MAX_TTL_MS))
    .optional()
    .describe('Time to live in milliseconds (a number or its text); 0, negative, "" or absent = never expires.'),
});

const KvPairSchema = z.lazy(() => z.object({ namespace: z.string(), key: z.string(), value: z.unknown() }));
const KvSetResponseSchema = z.lazy(() => KvPairSchema.unwrap().extend({ ttl: z.number() }));

function namespaceNotFound(namespace: string): AppError {
  return new AppError("NOT_FOUND", `namespace '${namespace}' not found`, { details: { namespace } });
}

export function registerKvRoutes(router: Router, kv: KvStore): void {
  const base = { tags: ["key-value store"], butlerFlag: "keyValueStore" };

  router.route(
    {
      ...base,
      method: "get",
      path: "/v4/keyvaluesnamespaces",
      summary: "List namespaces in creation order (an emptied namespace stays until it is deleted)",
      scope: "kv.read",
      responses: { 200: { description: "namespace names", schema: () => z.array(z.string()) } },
    },
    async (c) => c.json(await kv.namespaces()),
  );

  router.route(
    {
      ...base,
      method: "get",
      path: "/v4/keyvalues/:namespace/keyexists",
      summary: "Does a key exist in a namespace?",
      scope: "kv.read",
      params: NamespaceParamsSchema,
      query: KeyQuerySchema,
      responses: {
        200: {
          description: "existence and, if it exists, the pair",
          schema: () => z.object({ keyExists: z.boolean(), keyValue: z.union([KvPairSchema, z.object({})]) }),
        },
        404: { description: "namespace not found" },
      },
    },
    async (c, { params, query }) => {
      if (!(await kv.hasNamespace(params.namespace))) throw namespaceNotFound(params.namespace);
      const e = await kv.get(params.namespace, query.key);
      return c.json(e ? { keyExists: true, keyValue: { namespace: e.namespace, key: e.key, value: e.value } } : { keyExists: false, keyValue: {} });
    },
  );

  router.route(
    {
      ...base,
      method: "get",
      path: "/v4/keyvalues/:namespace",
      summary: "Get the value of a key",
      scope: "kv.read",
      params: NamespaceParamsSchema,
      query: KeyQuerySchema,
      responses: { 200: { description: "the pair", schema: KvPairSchema }, 404: { description: "namespace or key not found" } },
    },
    async (c, { params, query }) => {
      const e = await kv.get(params.namespace, query.key);
      if (!e) {
        if (!(await kv.hasNamespace(params.namespace))) throw namespaceNotFound(params.namespace);
        throw new AppError("NOT_FOUND", `key '${query.key}' not found in namespace '${params.namespace}'`, {
          details: { namespace: params.namespace, key: query.key },
        });
      }
      return c.json({ namespace: e.namespace, key: e.key, value: e.value });
    },
  );

  router.route(
    {
      ...base,
      method: "post",
      path: "/v4/keyvalues/:namespace",
      summary: "Create or overwrite a key (the namespace is created on first use)",
      description:
        "Re-posting a key replaces its value and its TTL. Limits: kv.maxNamespaces and kv.maxKeysPerNamespace (409), kv.maxKeyBytes and kv.maxValueBytes (413, the value counted as stored: its JSON text); a namespace or key with the NUL character or a lone surrogate (400).",
      scope: "kv.write",
      params: NamespaceParamsSchema,
      body: KvPostBodySchema,
      responses: {
        201: { description: "stored", schema: KvSetResponseSchema },
        409: { description: "namespace or key count limit reached" },
        413: { description: "key, namespace name or value too large" },
      },
    },
    async (c, { params, body }) => {
      // Answered 201: the request's audit row for that answer commits with the key.
      const e = await kv.set(params.namespace, body.key, body.value ?? "", storedTtl(body.ttl), auditActorOf(c), c.get("auditNote"), c.get("auditRow")?.(201));
      // Butler echoed the TTL as given (a negative one too). A key sent without a value is stored with "".
      return c.json({ namespace: e.namespace, key: e.key, value: e.value, ttl: body.ttl ?? 0 }, 201);
    },
  );

  router.route(
    {
      ...base,
      method: "delete",
      path: "/v4/keyvalues/:namespace/:key",
      summary: "Delete one key",
      scope: "kv.write",
      params: KeyParamsSchema,
      responses: { 204: { description: "deleted" }, 404: { description: "namespace or key not found" } },
    },
    async (c, { params }) => {
      if (!(await kv.delete(params.namespace, params.key, auditActorOf(c), c.get("auditNote")))) {
        if (!(await kv.hasNamespace(params.namespace))) throw namespaceNotFound(params.namespace);
        throw new AppError("NOT_FOUND", `key '${params.key}' not found in namespace '${params.namespace}'`, { details: params });
      }
      return c.body(null, 204);
    },
  );

  router.route(
    {
      ...base,
      method: "delete",
      path: "/v4/keyvalues/:namespace",
      summary: "Delete a namespace and all its keys (also when it holds none)",
      scope: "kv.write",
      params: NamespaceParamsSchema,
      responses: { 204: { description: "deleted" }, 404: { description: "namespace not found" } },
    },
    async (c, { params }) => {
      if (!(await kv.deleteNamespace(params.namespace, auditActorOf(c), c.get("auditNote")))) throw namespaceNotFound(params.namespace);
      return c.body(null, 204);
    },
  );

  router.route(
    {
      ...base,
      method: "get",
      path: "/v4/keylist/:namespace",
      summary: "List the keys of a namespace",
      scope: "kv.read",
      params: NamespaceParamsSchema,
      responses: {
        200: { description: "keys", schema: () => z.object({ namespace: z.string(), keys: z.array(z.object({ key: z.string() })) }) },
        404: { description: "namespace not found" },
      },
    },
    async (c, { params }) => {
      const keys = await kv.keys(params.namespace);
      if (keys === undefined) throw namespaceNotFound(params.namespace);
      return c.json({ namespace: params.namespace, keys: keys.map((key) => ({ key })) });
    },
  );
}
