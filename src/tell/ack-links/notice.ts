// What `steward config check` says about the links: without a public base URL, messages carry none.
import type { ActionLinksConfig } from "./config";
import type { ChannelConfig } from "../notify/config";

/** What the links read of the config. */
export type LinksConfig = { actionLinks: ActionLinksConfig; http: { publicUrl?: string }; channels: Record<string, ChannelConfig> };

/** The links' settings with the base URL falling back to http.publicUrl (the address the other alert links use). */
export function effectiveActionLinks(config: LinksConfig): ActionLinksConfig {
  const publicBaseUrl = config.actionLinks.publicBaseUrl ?? config.http.publicUrl;
  return { ...config.actionLinks, ...(publicBaseUrl ? { publicBaseUrl } : {}) };
}

const PERSON_CHANNELS = new Set(["email", "teams", "slack"]);

/** A line for `config check`, or undefined when links are configured or no channel would carry them. */
export function actionLinksNotice(config: LinksConfig): string | undefined {
  if (effectiveActionLinks(config).publicBaseUrl) return undefined;
  if (!Object.values(config.channels).some((c) => PERSON_CHANNELS.has(c.type))) return undefined;
  return "note: neither http.publicUrl nor actionLinks.publicBaseUrl is set, so mail, Teams and Slack alerts carry no acknowledge or snooze links (set it to the address people reach the dashboard at)";
}
