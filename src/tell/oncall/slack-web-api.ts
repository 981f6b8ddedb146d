// The few Slack Web API methods that keep a user group in step with the rota (issue 106): usergroups.users.list,
// usergroups.users.update and users.lookupByEmail, each a form POST to <baseUrl>/api/<method> with the bot token as
// `Authorization: Bearer`. Slack answers HTTP 200 with { ok: true, … } or { ok: false, error, needed? }; HTTP 429
// with Retry-After (seconds) when the method's rate tier is spent. The token is sent, never logged nor put in errors.
import { createHttpClient, type HttpResponse } from "../../platform/http/http-client";

const TIMEOUT_MS = 15_000;
/** Without a Retry-After header, Slack's tier 2 methods (20 a minute) are safe again after a minute. */
const DEFAULT_RETRY_AFTER_MS = 60_000;

/** Slack refused the call: `error` is Slack's code (invalid_auth, missing_scope, no_such_subteam, users_not_found, …). */
export class SlackApiError extends Error {
  constructor(
    readonly method: string,
    readonly error: string,
    readonly needed?: string,
  ) {
    super(`Slack ${method} answered ${error}${needed ? ` (needed: ${needed})` : ""}`);
  }
}

/** Slack's rate limit: try again after `retryAfterMs`. */
export class SlackRateLimited extends Error {
  constructor(
    readonly method: string,
    readonly retryAfterMs: number,
  ) {
    super(`Slack ${method} is rate-limited: try again in ${Math.round(retryAfterMs / 1000)} s`);
  }
}

export interface SlackWebApi {
  /** The members of a user group, by Slack user id. */
  groupUsers(usergroup: string): Promise<string[]>;
  /** Makes `users` the group's whole membership (Slack refuses an empty list). */
  setGroupUsers(usergroup: string, users: readonly string[]): Promise<void>;
  /** The Slack user id of the member with this mail address; undefined when Slack has none (users_not_found). */
  userIdByEmail(email: string): Promise<string | undefined>;
  /** The token's scopes as Slack lists them in X-OAuth-Scopes after the last call (empty before one). */
  scopes(): string[];
  close(): void;
}

export function createSlackWebApi(o: { baseUrl: string; token: string }): SlackWebApi {
  const client = createHttpClient();
  const base = o.baseUrl.replace(/\/$/, "");
  let scopes: string[] = [];

  const retryAfterMs = (res: HttpResponse): number => {
    const seconds = Number(res.headers["retry-after"]);
    return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_RETRY_AFTER_MS;
  };

  const call = async (method: string, params: Record<string, string>): Promise<Record<string, unknown>> => {
    const res = await client.request(`${base}/api/${method}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Bearer ${o.token}` },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (res.status === 429) throw new SlackRateLimited(method, retryAfterMs(res));
    const header = res.headers["x-oauth-scopes"];
    if (typeof header === "string")
      scopes = header
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    if (res.status < 200 || res.status >= 300) throw new Error(`Slack ${method} answered HTTP ${res.status}`);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(res.text) as Record<string, unknown>;
    } catch {
      throw new Error(`Slack ${method} answered something other than JSON: is ${base} Slack's Web API?`);
    }
    if (body.ok !== true) throw new SlackApiError(method, String(body.error ?? "unknown_error"), typeof body.needed === "string" ? body.needed : undefined);
    return body;
  };

  return {
    async groupUsers(usergroup) {
      const body = await call("usergroups.users.list", { usergroup });
      return Array.isArray(body.users) ? body.users.map(String) : [];
    },
    async setGroupUsers(usergroup, users) {
      await call("usergroups.users.update", { usergroup, users: users.join(",") });
    },
    async userIdByEmail(email) {
      try {
        const body = await call("users.lookupByEmail", { email });
        const id = (body.user as { id?: unknown } | undefined)?.id;
        return typeof id === "string" ? id : undefined;
      } catch (err) {
        if (err instanceof SlackApiError && err.error === "users_not_found") return undefined;
        throw err;
      }
    },
    scopes: () => scopes,
    close: () => client.close(),
  };
}

/** What an administrator does about each way Slack refuses the group's update. */
export function slackFix(err: unknown, usergroup: string): string {
  if (err instanceof SlackRateLimited) return "Another tool may share this Slack app's token and its rate limit: give Steward an app of its own.";
  if (!(err instanceof SlackApiError))
    return "Check that this server reaches Slack (https://slack.com, or slackUserGroup.baseUrl) through the firewall and proxy.";
  switch (err.error) {
    case "not_authed":
    case "invalid_auth":
    case "token_revoked":
    case "token_expired":
    case "account_inactive":
      return "Slack refuses the token: copy the Bot User OAuth Token (xoxb-…) from the Slack app's OAuth & Permissions page into the variable slackUserGroup.token names, and restart Steward.";
    case "missing_scope":
      return `The bot needs the ${err.needed ?? "usergroups:read, usergroups:write and users:read.email"} scope: add it under the Slack app's OAuth & Permissions → Bot Token Scopes, reinstall the app to the workspace, and put the new token in place.`;
    case "no_such_subteam":
    case "subteam_not_found":
      return `Slack has no user group ${usergroup} in the token's workspace: copy the group's id (People → User groups → the group → ⋮ → Copy group ID) into slackUserGroup.id.`;
    case "permission_denied":
      return "The workspace lets only admins change user groups: an owner allows the app to (Settings → Permissions → User Groups), or makes the group's managers include the app.";
    case "invalid_users":
    case "failed_for_some_users":
      return "A person's Slack id is not a member of this workspace: check oncall.people[…].slack.";
    case "plan_upgrade_required":
      return "User groups need a paid Slack plan: without one, mention people through oncall.people[…].slack instead.";
    default:
      return `See Slack's documentation of the error "${err.error}".`;
  }
}
