// Generic QRS entity routes: list (condensed), /full, /count, /{id}, DELETE, with filter, orderby and privileges.
import { checkProperties, compileFilter, FilterSyntaxError, filterErrorText, filterProperties, parseFilter, valuesAt } from "../filter";
import type { Json, RenderOptions } from "../repo/render-common";
import { empty, json, text } from "../util/http";
import { isGuid } from "../util/ids";
import type { Router } from "../util/router";
import type { QrsContext } from "./context";
import type { Resource } from "./resources";

function renderOpts(ctx: QrsContext): RenderOptions {
  return { privileges: (ctx.query.get("privileges") ?? "").toLowerCase() === "true" };
}

/** `orderby=startTime desc` (one or more comma-separated keys). */
function orderBy(items: Json[], spec: string | undefined): Json[] {
  if (!spec) return items;
  const keys = spec.split(",").map((k) => {
    const [path = "", dir = "asc"] = k.trim().split(/\s+/);
    return { path: path.split("."), desc: dir.toLowerCase() === "desc" };
  });
  const value = (e: Json, path: string[]) => valuesAt(e, path)[0];
  return [...items].sort((a, b) => {
    for (const k of keys) {
      const va = value(a, k.path);
      const vb = value(b, k.path);
      if (va === vb) continue;
      const c = typeof va === "number" && typeof vb === "number" ? va - vb : String(va ?? "").localeCompare(String(vb ?? ""));
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  });
}

/** Per resource, the top-level property names (lower-case) its entities had when all of them were rendered. */
const seenKeys = new WeakMap<Resource, Set<string>>();
function learnKeys(r: Resource, entities: readonly Json[]): void {
  let keys = seenKeys.get(r);
  if (!keys) seenKeys.set(r, (keys = new Set()));
  for (const e of entities) for (const k of Object.keys(e)) keys.add(k.toLowerCase());
}

function select(ctx: QrsContext, r: Resource): Json[] | Response {
  const opts = renderOpts(ctx);
  const filter = ctx.query.get("filter");
  if (filter === undefined || filter.trim() === "") return orderBy(r.full(opts), ctx.query.get("orderby"));
  try {
    const tree = parseFilter(filter);
    const candidates = r.candidates?.(tree, opts) ?? r.full(opts);
    // An unknown property is a 400 whatever matched: with no candidate left (a look asking what changed, most of
    // the time), it is judged on the properties the type's entities were seen with, or else on all of them.
    if (candidates.length > 0) checkProperties(tree, candidates);
    else if (!filterProperties(tree).every((p) => seenKeys.get(r)?.has(p))) {
      const all = r.full(opts);
      checkProperties(tree, all);
      learnKeys(r, all);
    }
    return orderBy(candidates.filter(compileFilter(tree)), ctx.query.get("orderby"));
  } catch (err) {
    if (err instanceof FilterSyntaxError) return text(400, filterErrorText(err));
    throw err;
  }
}

export function addEntityRoutes(router: Router<QrsContext>, resources: Record<string, Resource>): void {
  for (const [name, r] of Object.entries(resources)) {
    router.add("GET", name, (ctx) => {
      const items = select(ctx, r);
      return items instanceof Response
        ? items
        : json(
            200,
            items.map((i) => r.condense(i)),
          );
    });
    router.add("GET", `${name}/full`, (ctx) => {
      const items = select(ctx, r);
      return items instanceof Response ? items : json(200, items);
    });
    router.add("GET", `${name}/count`, (ctx) => {
      const filter = ctx.query.get("filter");
      if (r.count && (filter === undefined || filter.trim() === "")) return json(200, { value: r.count() });
      const items = select(ctx, r);
      return items instanceof Response ? items : json(200, { value: items.length });
    });
    router.add("GET", `${name}/:id`, (ctx, p) => {
      const id = p.id!;
      if (!isGuid(id)) return text(400, `Invalid id '${id}': not a GUID`);
      const opts = renderOpts(ctx);
      const found = r.byId ? r.byId(id, opts) : r.full(opts).find((e) => String(e.id).toLowerCase() === id.toLowerCase());
      return found ? json(200, found) : empty(404);
    });
    if (r.remove) {
      const remove = r.remove;
      router.add("DELETE", `${name}/:id`, (_ctx, p) => {
        const id = p.id!;
        if (!isGuid(id)) return text(400, `Invalid id '${id}': not a GUID`);
        return remove(id) ? empty(204) : empty(404);
      });
    }
  }
}
