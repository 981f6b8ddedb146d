// PagerDuty's and Opsgenie's / Jira Service Management's outgoing webhooks call Steward from the vendor's cloud. A
// channel that expects them (webhookSecret, webhookToken) on a Steward listening on loopback only, with no reverse
// proxy named in front of it, or serving no HTTP at all, never hears one: acknowledgements made in the product stay there. A warning, not an
// error: Steward cannot see the network (a proxy not listed in trustedProxies, a tunnel), and the alerts still go out.
import { isLoopbackHost } from "../../platform/security/policy";
import type { ChannelConfig } from "./config";

export interface InboundReachConfig {
  channels: Record<string, ChannelConfig>;
  http: { enabled: boolean; host: string };
  security: { trustedProxies: readonly unknown[] };
}

export interface InboundWarning {
  /** The key that expects the webhook: channels.<name>.webhookSecret or .webhookToken. */
  path: Array<string | number>;
  /** What is wrong and what to do, as `config check` prints it after the key's file line. */
  message: string;
  /** The same in two parts, for the doctor's line. */
  problem: string;
  fix: string;
}

const PRODUCT = { pagerduty: "PagerDuty", opsgenie: "Opsgenie / Jira Service Management" } as const;

export function inboundWebhookWarnings(config: InboundReachConfig): InboundWarning[] {
  const { http } = config;
  if (http.enabled && (!isLoopbackHost(http.host) || config.security.trustedProxies.length > 0)) return [];
  const out: InboundWarning[] = [];
  for (const [name, ch] of Object.entries(config.channels)) {
    const key = ch.type === "pagerduty" && ch.webhookSecret ? "webhookSecret" : ch.type === "opsgenie" && ch.webhookToken ? "webhookToken" : undefined;
    if (!key || (ch.type !== "pagerduty" && ch.type !== "opsgenie")) continue;
    const lost = "so what is acknowledged or resolved there never reaches Steward";
    const problem = http.enabled
      ? `${PRODUCT[ch.type]} calls this webhook from the internet, but Steward listens on http.host ${http.host} only, which nothing outside this machine reaches, ${lost}`
      : `${PRODUCT[ch.type]} calls this webhook, but Steward serves no HTTP (http.enabled: false), ${lost}`;
    const fix = http.enabled
      ? "set http.host to an address the vendor's calls reach (and allow them in security.ipAllowlist), " +
        "or list the reverse proxy that forwards them in security.trustedProxies"
      : "turn http on (http.enabled: true, see docs/security.md), or remove the key and the product's webhook";
    out.push({ path: ["channels", name, key], message: `warning: ${problem}: ${fix}`, problem, fix });
  }
  return out;
}
