// URLs of an on-call product's API that parse but cannot work, caught by the channel's schema (so `config check`,
// `steward doctor` and `run` name the key and its line) instead of as HTTP 404 on the first page at night.

/** The URL's path without trailing slashes, or undefined when it is not a URL (the schema's .url() says so). */
function pathOf(url: string): { host: string; path: string; base: string } | undefined {
  try {
    const u = new URL(url);
    const path = u.pathname.replace(/\/+$/, "");
    return { host: u.hostname.toLowerCase(), path, base: `${u.protocol}//${u.host}` };
  } catch {
    return undefined;
  }
}

/** Alertmanager: Steward posts to <url>/api/v2/alerts, so a URL that already ends so (or in v1's) gets 404. */
export function alertmanagerUrlProblem(url: string): string | undefined {
  const u = pathOf(url);
  if (!u) return undefined;
  const m = /\/api\/v[12]\/alerts$/.exec(u.path);
  if (!m) return undefined;
  const base = `${u.base}${u.path.slice(0, m.index)}`;
  return `Steward adds /api/v2/alerts itself, so this URL would be posted to as …${m[0]}/api/v2/alerts and answer HTTP 404: give Alertmanager's base address, ${base}`;
}

const JSM_PATH = "/jsm/ops/integration";

/**
 * Opsgenie / Jira Service Management: Steward adds /v2/alerts; JSM's alert API is only under
 * https://api.atlassian.com/jsm/ops/integration (a Jira site's own address, …atlassian.net, has no such API).
 */
export function opsgenieUrlProblem(url: string): string | undefined {
  const u = pathOf(url);
  if (!u) return undefined;
  const isJsm = u.host === "api.atlassian.com" || u.host.endsWith(".atlassian.net");
  if (isJsm && !(u.host === "api.atlassian.com" && u.path === JSM_PATH)) {
    return `Jira Service Management's alert API is under https://api.atlassian.com${JSM_PATH} (Steward adds /v2/alerts), this URL answers every alert with HTTP 404: set it to https://api.atlassian.com${JSM_PATH}`;
  }
  if (/\/v2\/alerts$/.test(u.path)) {
    const base = `${u.base}${u.path.slice(0, -"/v2/alerts".length)}`;
    return `Steward adds /v2/alerts itself, so this URL would answer HTTP 404: give the API's base address, ${base}`;
  }
  return undefined;
}
