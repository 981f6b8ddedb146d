// The simulated tenant's metadata: the API key's own record (status and expiry), apps, items, spaces and users.
import type { Space } from "@qlik/api/spaces";
import { json } from "../util/http";
import { apiError } from "./api-error";
import { CLOUD_API_KEY_ID, CLOUD_TENANT_ID, CLOUD_USER_ID, type CloudTenant } from "./tenant";

/** A space as Qlik's Space type (@qlik/api `spaces`), with every field of Qlik's example: the one shared space of the site's apps. */
function renderSpace(id: string, origin: string): Space {
  const self = `${origin}/api/v1/spaces/${id}`;
  return {
    id,
    name: "Finance (Cloud)",
    type: "shared",
    description: "",
    ownerId: CLOUD_USER_ID,
    tenantId: CLOUD_TENANT_ID,
    createdAt: new Date(0).toISOString(),
    createdBy: CLOUD_USER_ID,
    updatedAt: new Date(0).toISOString(),
    // The key's user (a tenant admin) as the space's producer.
    meta: { roles: ["producer"], actions: ["read", "update"], assignableRoles: ["consumer", "contributor", "producer"] },
    links: { self: { href: self }, assignments: { href: `${self}/assignments` } },
  };
}

/** Answers the metadata GETs; a 404 for any other request. */
export function handleMetadata(tenant: CloudTenant, req: Request, url: URL, path: string, nowMs: number): Response {
  const key = /^\/api\/v1\/api-keys\/([^/]+)$/.exec(path);
  if (req.method === "GET" && key) {
    if (key[1] !== CLOUD_API_KEY_ID) return apiError(404, "Not Found", "HTTP-404");
    const expired = tenant.settings.apiKeyExpiry !== null && Date.parse(tenant.settings.apiKeyExpiry) <= nowMs;
    return json(200, {
      id: CLOUD_API_KEY_ID,
      tenantId: CLOUD_TENANT_ID,
      description: "Steward (simulated)",
      sub: CLOUD_USER_ID,
      subType: "user",
      status: expired ? "expired" : "active",
      expiry: tenant.settings.apiKeyExpiry,
      created: new Date(0).toISOString(),
      createdByUser: CLOUD_USER_ID,
    });
  }
  let m = /^\/api\/v1\/apps\/([^/]+)$/.exec(path);
  if (req.method === "GET" && m) {
    const a = tenant.apps.get(m[1]!.toLowerCase());
    if (!a) return apiError(404, "Not Found", "HTTP-404");
    return json(200, { attributes: { id: a.id, name: a.name, ownerId: a.ownerId, owner: `auth0|${a.ownerId}`, spaceId: a.spaceId, published: false } });
  }
  if (req.method === "GET" && path === "/api/v1/items") {
    const id = url.searchParams.get("resourceId")?.toLowerCase();
    const data = [...tenant.apps.values()]
      .filter((a) => !id || a.id === id)
      .map((a) => ({ id: `item-${a.id}`, name: a.name, resourceType: "app", resourceId: a.id, spaceId: a.spaceId, ownerId: a.ownerId }));
    return json(200, { data, links: { self: { href: url.toString() } } });
  }
  m = /^\/api\/v1\/spaces\/([^/]+)$/.exec(path);
  if (req.method === "GET" && m) return json(200, renderSpace(m[1]!, url.origin));
  m = /^\/api\/v1\/users\/([^/]+)$/.exec(path);
  if (req.method === "GET" && m)
    return m[1] === CLOUD_USER_ID
      ? json(200, { id: CLOUD_USER_ID, name: "Anna Svensson", email: "anna.svensson@corp.example" })
      : apiError(404, "Not Found", "HTTP-404");
  return apiError(404, "Not Found", "HTTP-404");
}
