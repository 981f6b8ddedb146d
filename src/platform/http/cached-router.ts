// The router the HTTP app matches with: Hono's trie router (Butler's paths, such as /v4/reloadtask/start beside
// /v4/reloadtask/:taskId/start, are ambiguous for its regular-expression router, so Hono's default would try that
// one at the first request and fall back to this), with the result of each method and path remembered: clients
// call the same few paths again and again. Results are only read by Hono, so one can serve many requests. Kept per
// method, then per path: a key made of both was a new string to build and hash on every request.
import type { Result, Router } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";

/** Paths remembered; a flood of distinct ones empties the table and costs only the match it would cost anyway. */
const MAX_PATHS = 2_048;

export function createCachedRouter<T>(): Router<T> {
  const inner = new TrieRouter<T>();
  const seen = new Map<string, Map<string, Result<T>>>();
  let remembered = 0;
  return {
    name: "CachedTrieRouter",
    add(method, path, handler) {
      inner.add(method, path, handler);
      seen.clear();
      remembered = 0;
    },
    match(method, path) {
      let paths = seen.get(method);
      let result = paths?.get(path);
      if (!result) {
        result = inner.match(method, path);
        if (remembered >= MAX_PATHS) {
          seen.clear();
          remembered = 0;
          paths = undefined;
        }
        if (!paths) seen.set(method, (paths = new Map()));
        paths.set(path, result);
        remembered++;
      }
      return result;
    },
  };
}
