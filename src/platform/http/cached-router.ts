// The router the HTTP app matches with: Hono's trie router (Butler's paths, such as /v4/reloadtask/start beside
// /v4/reloadtask/:taskId/start, are ambiguous for its regular-expression router, so Hono's default would try that
// one at the first request and fall back to this), with the result of each method and path remembered: clients
// call the same few paths again and again. Results are only read by Hono, so one can serve many requests.
import type { Result, Router } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";

/** Paths remembered; a flood of distinct ones empties the table and costs only the match it would cost anyway. */
const MAX_PATHS = 2_048;

export function createCachedRouter<T>(): Router<T> {
  const inner = new TrieRouter<T>();
  const seen = new Map<string, Result<T>>();
  return {
    name: "CachedTrieRouter",
    add(method, path, handler) {
      inner.add(method, path, handler);
      seen.clear();
    },
    match(method, path) {
      const key = `${method} ${path}`;
      let result = seen.get(key);
      if (!result) {
        result = inner.match(method, path);
        if (seen.size >= MAX_PATHS) seen.clear();
        seen.set(key, result);
      }
      return result;
    },
  };
}
