// What an admin does when a part of Steward fails, by the name of its readiness check: said in the log line, the
// steward.degraded event, the dashboard's banner and `steward doctor`.
const FIXES: Record<string, string> = {
  qrs: "Check that this server reaches the Qlik Repository Service (qlik.host, port qlik.qrsPort, usually 4242), that the certificates in qlik.certDir are the ones exported from the QMC for this server (client.pem, client_key.pem, root.pem), and that the user in qlik.userDirectory/userId exists.",
  store: "The store cannot be used: check the disk under dataDir (space, permissions) or, in a cluster, store.postgres.url and the PostgreSQL server.",
  channels:
    "A channel cannot deliver: check its server, address and credentials (an SMTP server that refuses, a webhook that answers an error). Alerts wait in the outbox and are tried again.",
  mqtt: "Check mqtt.url, the broker and its credentials.",
  "shared-store": "This Steward cannot reach the cluster's PostgreSQL: check store.postgres.url, the network to the PostgreSQL server and that it runs.",
};

/** What to do about a failing part; `steward doctor` (and /ui/doctor) try each dependency to find which. */
export function whatToDo(component: string): string {
  return FIXES[component] ?? FIXES[component.split(/[.:]/)[0]!] ?? "See GET /ready for the part's own detail and the log around this line.";
}
