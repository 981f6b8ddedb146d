// A tiny method + path router: literal segments match case-insensitively (QRS paths do), `:name` captures one segment.

export type Params = Record<string, string>;
export type Handler<C> = (ctx: C, params: Params) => Response | Promise<Response>;

interface Route<C> {
  method: string;
  segments: string[];
  handler: Handler<C>;
}

export type RouteMatch<C> = { handler: Handler<C>; params: Params } | { methodNotAllowed: true } | undefined;

export interface Router<C> {
  add(method: string, pattern: string, handler: Handler<C>): Router<C>;
  match(method: string, path: string): RouteMatch<C>;
}

const split = (p: string) => p.split("/").filter((s) => s !== "");

export function createRouter<C>(): Router<C> {
  const routes: Route<C>[] = [];
  const router: Router<C> = {
    add(method, pattern, handler) {
      routes.push({ method: method.toUpperCase(), segments: split(pattern), handler });
      return router;
    },
    match(method, path) {
      const parts = split(path);
      let pathMatched = false;
      for (const r of routes) {
        if (r.segments.length !== parts.length) continue;
        const params: Params = {};
        let ok = true;
        for (let i = 0; i < parts.length && ok; i++) {
          const seg = r.segments[i]!;
          const part = parts[i]!;
          if (seg.startsWith(":")) {
            try {
              params[seg.slice(1)] = decodeURIComponent(part);
            } catch {
              ok = false;
            }
          } else ok = seg.toLowerCase() === part.toLowerCase();
        }
        if (!ok) continue;
        pathMatched = true;
        if (r.method === method.toUpperCase()) return { handler: r.handler, params };
      }
      return pathMatched ? { methodNotAllowed: true } : undefined;
    },
  };
  return router;
}
