// `config check`'s warning for the on-call webhooks' spool: on PostgreSQL (where several Stewards may share the
// store) with a PagerDuty or Opsgenie / JSM webhook expected and no shared spool folder, what a Steward keeps through
// a store outage is on its own disk only, and lost with it if it never comes back. A warning: one Steward alone on
// PostgreSQL is fine as it is.
import type { ChannelConfig } from "../notify/config";

export interface SpoolCheckConfig {
  store: { postgres?: unknown };
  channels: Record<string, ChannelConfig>;
  notify: { webhookSpool: { dir?: string | undefined } };
}

export function spoolFolderWarnings(config: SpoolCheckConfig): Array<{ path: Array<string | number>; message: string }> {
  if (!config.store.postgres || config.notify.webhookSpool.dir) return [];
  const inbound = Object.values(config.channels).some((ch) => (ch.type === "pagerduty" && ch.webhookSecret) || (ch.type === "opsgenie" && ch.webhookToken));
  if (!inbound) return [];
  return [
    {
      path: ["store", "postgres"],
      message:
        "warning: with several Stewards on this store, each keeps a PagerDuty or Opsgenie / JSM webhook that arrives during a store outage " +
        "in its own <dataDir>/webhook-spool, and one that never comes back takes what it kept with it: set notify.webhookSpool.dir to a " +
        "folder every Steward shares (docs/channels.md)",
    },
  ];
}
