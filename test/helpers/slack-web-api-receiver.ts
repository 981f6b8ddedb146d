// A local Slack Web API that takes only what Slack's own does, for the user-group methods (api.slack.com/methods):
// every method is POST (or GET) /api/<method>, its arguments form-encoded (application/x-www-form-urlencoded) or, for
// write methods, JSON; the token comes as `Authorization: Bearer xoxb-…` (or the `token` argument). Slack answers HTTP
// 200 with { ok: true, … } or { ok: false, error }: not_authed without a token, invalid_auth for a wrong one,
// missing_scope (with needed and provided) when the token lacks the method's scope, and lists the token's scopes in
// X-OAuth-Scopes. usergroups.users.list (usergroups:read) takes `usergroup` and answers { users: [ids] } or
// no_such_subteam; usergroups.users.update (usergroups:write) takes `usergroup` and `users` (comma-separated ids, the
// group's whole membership) and refuses an empty list (no_users_provided) or a stranger (invalid_users);
// users.lookupByEmail (users:read.email) takes `email` and answers { user: { id } } or users_not_found. A spent rate
// tier answers HTTP 429 with Retry-After in seconds.
export interface SlackCall {
  method: string;
  args: Record<string, string>;
}

export interface SlackWebApiReceiver {
  url: string;
  /** Calls Slack took (answered ok: true). */
  calls: SlackCall[];
  /** Calls refused, as "method: error". */
  refused: string[];
  /** The user groups' members, by group id. */
  groups: Map<string, string[]>;
  /** The next `times` calls of `method` are answered 429 with Retry-After: `seconds`. */
  rateLimit(method: string, seconds: number, times?: number): void;
  stop(): Promise<void>;
}

const SCOPE_OF: Record<string, string> = {
  "usergroups.users.list": "usergroups:read",
  "usergroups.users.update": "usergroups:write",
  "users.lookupByEmail": "users:read.email",
};

export interface SlackWorkspace {
  token: string;
  scopes?: string[];
  /** Members by mail address. */
  members: Record<string, string>;
  /** User groups and their members. */
  groups: Record<string, string[]>;
}

export function startSlackWebApiReceiver(w: SlackWorkspace): SlackWebApiReceiver {
  const scopes = w.scopes ?? ["usergroups:read", "usergroups:write", "users:read.email"];
  const groups = new Map(Object.entries(w.groups).map(([id, users]) => [id, [...users]]));
  const memberIds = new Set(Object.values(w.members));
  const calls: SlackCall[] = [];
  const refused: string[] = [];
  const limits = new Map<string, { seconds: number; times: number }>();

  const readArgs = async (req: Request, url: URL): Promise<Record<string, string> | string> => {
    const args: Record<string, string> = Object.fromEntries(url.searchParams);
    if (req.method === "GET") return args;
    if (req.method !== "POST") return "method_not_supported_for_channel_type";
    const type = req.headers.get("content-type") ?? "";
    const text = await req.text();
    if (type.startsWith("application/x-www-form-urlencoded")) return { ...args, ...Object.fromEntries(new URLSearchParams(text)) };
    if (type.startsWith("application/json")) {
      try {
        const body = JSON.parse(text) as Record<string, unknown>;
        for (const [k, v] of Object.entries(body)) args[k] = Array.isArray(v) ? v.join(",") : String(v);
        return args;
      } catch {
        return "invalid_json";
      }
    }
    return "invalid_form_data";
  };

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const method = /^\/api\/([A-Za-z.]+)$/.exec(url.pathname)?.[1];
      if (!method) return new Response("Not Found", { status: 404 });
      const answer = (body: Record<string, unknown>, headers: Record<string, string> = {}) => {
        if (body.ok === false) refused.push(`${method}: ${String(body.error)}`);
        return Response.json(body, { headers });
      };
      const args = await readArgs(req, url);
      if (typeof args === "string") return answer({ ok: false, error: args });
      const bearer = /^Bearer (\S+)$/.exec(req.headers.get("authorization") ?? "")?.[1];
      const token = bearer ?? args.token;
      if (!token) return answer({ ok: false, error: "not_authed" });
      if (token !== w.token) return answer({ ok: false, error: "invalid_auth" });
      const limit = limits.get(method);
      if (limit && limit.times > 0) {
        limit.times--;
        refused.push(`${method}: HTTP 429`);
        return new Response("", { status: 429, headers: { "Retry-After": String(limit.seconds) } });
      }
      const granted = { "X-OAuth-Scopes": scopes.join(","), "X-Accepted-OAuth-Scopes": SCOPE_OF[method] ?? "" };
      const needed = SCOPE_OF[method];
      if (!needed) return answer({ ok: false, error: "unknown_method" }, granted);
      if (!scopes.includes(needed)) return answer({ ok: false, error: "missing_scope", needed, provided: scopes.join(",") }, granted);
      if (method === "users.lookupByEmail") {
        if (!args.email) return answer({ ok: false, error: "invalid_arguments" }, granted);
        const id = Object.entries(w.members).find(([mail]) => mail.toLowerCase() === args.email!.toLowerCase())?.[1];
        if (!id) return answer({ ok: false, error: "users_not_found" }, granted);
        calls.push({ method, args });
        return answer({ ok: true, user: { id, profile: { email: args.email } } }, granted);
      }
      if (!args.usergroup) return answer({ ok: false, error: "invalid_arguments" }, granted);
      const group = groups.get(args.usergroup);
      if (!group) return answer({ ok: false, error: "no_such_subteam" }, granted);
      if (method === "usergroups.users.list") {
        calls.push({ method, args });
        return answer({ ok: true, users: [...group] }, granted);
      }
      const users = (args.users ?? "")
        .split(",")
        .map((u) => u.trim())
        .filter(Boolean);
      if (users.length === 0) return answer({ ok: false, error: "no_users_provided" }, granted);
      if (users.some((u) => !memberIds.has(u))) return answer({ ok: false, error: "invalid_users" }, granted);
      groups.set(args.usergroup, users);
      calls.push({ method, args });
      return answer({ ok: true, usergroup: { id: args.usergroup, users, user_count: String(users.length) } }, granted);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    calls,
    refused,
    groups,
    rateLimit(method, seconds, times = 1) {
      limits.set(method, { seconds, times });
    },
    stop: () => server.stop(true),
  };
}
