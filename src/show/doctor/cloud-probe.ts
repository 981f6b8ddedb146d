// The doctor's probe of a Qlik Cloud tenant: one page of its reloads read with the tenant's own key (or OAuth client),
// as the watcher reads it every poll, so a wrong URL, an untrusted certificate, a refused or expiring key shows here;
// then each Cloud source Steward can watch (reloads, tasks, automations, data tasks): watched, or why not.
import { apiKeyClaims } from "../../hear/cloud/key-expiry";
import { CloudApiError, type CloudClient, createCloudClient } from "../../hear/cloud/cloud-client";
import type { QlikCloudTenantConfig } from "../../hear/cloud/config";
import { describeError } from "../../platform/core/errors";
import type { DoctorProbe } from "./types";

const DAY_MS = 86_400_000;

/** What an administrator does about each kind of failure the tenant's API gives. */
function fixFor(err: unknown, oauth: boolean): string {
  const kind = err instanceof CloudApiError ? err.kind : "network";
  if (kind === "auth")
    return oauth
      ? "In the tenant's Management Console → OAuth, check the client's id, secret and scopes (user_default, admin_classic)."
      : "Make a new API key as a tenant admin (profile → Settings → API keys) and put it in the secrets file.";
  if (kind === "rate-limited") return "Qlik allows 1,000 calls a minute per key: another tool may share this key; give Steward its own.";
  if (kind === "network") return "Check qlikCloud.tenants[].url, that this server reaches it (firewall, proxy) and, with a private CA, caFile.";
  return "Check qlikCloud.tenants[].url: it must be the tenant's address (https://<tenant>.<region>.qlikcloud.com).";
}

/** When the API key expires: from the key itself, else as the tenant tells it (as the expiry watch reads it). */
async function keyExpiry(client: CloudClient, apiKey: string | undefined, now: number): Promise<string> {
  if (!apiKey) return "";
  const claims = apiKeyClaims(apiKey);
  let at = claims.expiresAt;
  if (at === undefined && claims.id) {
    try {
      const expiry = (await client.getApiKey(claims.id)).expiry;
      at = expiry ? Date.parse(expiry) : undefined;
    } catch (err) {
      return `; its expiry could not be read (${describeError(err)})`;
    }
  }
  if (at === undefined || !Number.isFinite(at)) return "; the key does not expire";
  const days = Math.floor((at - now) / DAY_MS);
  return days < 0 ? "; the key has expired" : `; the key expires in ${days} day${days === 1 ? "" : "s"} (${new Date(at).toISOString().slice(0, 10)})`;
}

/** One Cloud source as the doctor found it: watched (with what it read), not watched and why, or failing. */
type SourceState = { name: string; state: "watched" | "off" | "failed"; text: string };

/**
 * Whether the key may list the tenant's automations, as the automation watch asks (every user's, `listAll`, unless
 * the tenant refuses the parameter).
 */
async function automationsSource(client: CloudClient, tenant: QlikCloudTenantConfig): Promise<SourceState> {
  const name = "automations";
  if (!tenant.automations?.enabled) return { name, state: "off", text: "not asked for (add `automations: {}` to this tenant)" };
  try {
    let page: { automations: unknown[] };
    try {
      page = await client.listAutomations(undefined, true);
    } catch (err) {
      if (!(err instanceof CloudApiError) || err.kind !== "refused") throw err;
      page = await client.listAutomations(undefined, false);
    }
    return { name, state: "watched", text: `${page.automations.length} on the first page` };
  } catch (err) {
    return { name, state: "failed", text: describeError(err) };
  }
}

/** The Scheduling Tasks, as the watchdog's look reads them (only when the watchdog is on). */
async function tasksSource(client: CloudClient, watchdogOn: boolean): Promise<SourceState> {
  const name = "tasks";
  if (!watchdogOn) return { name, state: "off", text: "the watchdog is off (add a `watchdog:` section to watch their schedules)" };
  try {
    return { name, state: "watched", text: `${(await client.listTasks()).tasks.length} on the first page` };
  } catch (err) {
    return { name, state: "failed", text: describeError(err) };
  }
}

/** "watches reloads (…), tasks (…); does not watch automations: …; failed: …". */
function sourcesText(sources: SourceState[]): string {
  const of = (s: SourceState["state"]) => sources.filter((x) => x.state === s);
  const parts = [
    `watches ${of("watched")
      .map((x) => `${x.name} (${x.text})`)
      .join(", ")}`,
  ];
  if (of("off").length)
    parts.push(
      `does not watch ${of("off")
        .map((x) => `${x.name}: ${x.text}`)
        .join("; ")}`,
    );
  if (of("failed").length)
    parts.push(
      `cannot read ${of("failed")
        .map((x) => `${x.name}: ${x.text}`)
        .join("; ")}`,
    );
  return parts.join("; ");
}

const FIX: Record<string, string> = {
  automations: "For automations make the API key as a Tenant Admin (docs/qlik-cloud.md#qlik-automate-automations), or remove qlikCloud.tenants[].automations.",
  tasks: "For the Scheduling Tasks the key's user needs to see the tasks (a Tenant Admin sees all; docs/qlik-cloud.md#scheduling-tasks).",
};

export function cloudTenantProbe(
  tenant: QlikCloudTenantConfig,
  baseDir: string,
  now: () => number = Date.now,
  opts: { watchdogOn: boolean } = { watchdogOn: true },
): DoctorProbe {
  const name = tenant.name ?? new URL(tenant.url).host;
  return {
    check: `qlik cloud ${name}`,
    async run() {
      const client = createCloudClient({
        url: tenant.url,
        ...(tenant.apiKey ? { apiKey: tenant.apiKey } : {}),
        ...(tenant.oauth ? { oauth: tenant.oauth } : {}),
        ...(tenant.caFile ? { caFile: tenant.caFile } : {}),
        baseDir,
        now,
      });
      try {
        const page = await client.listReloads();
        const how = tenant.oauth ? "the OAuth client" : "the API key";
        const detail = `${tenant.url} answers ${how}${await keyExpiry(client, tenant.apiKey, now())}`;
        const sources: SourceState[] = [
          { name: "reloads", state: "watched", text: `${page.reloads.length} on the first page` },
          await tasksSource(client, opts.watchdogOn),
          await automationsSource(client, tenant),
          { name: "data tasks", state: "off", text: "Qlik Talend Cloud data tasks are not watched by this version of Steward" },
        ];
        const failed = sources.filter((x) => x.state === "failed");
        const text = `${detail}; ${sourcesText(sources)}`;
        if (failed.length) return { ok: false, detail: text, fix: `Reloads are watched. ${failed.map((x) => FIX[x.name]).join(" ")}` };
        return { ok: true, detail: text };
      } catch (err) {
        return { ok: false, detail: describeError(err), fix: fixFor(err, tenant.oauth !== undefined) };
      } finally {
        client.close();
      }
    },
  };
}
