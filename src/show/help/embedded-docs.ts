// Steward's documentation pages, embedded in the binary at build time (static text imports) and served at /help.
// A unit test checks that every page under docs/ is listed here. Written by scripts/gen-embedded-docs.ts.
import d1 from "../../../docs/README.md" with { type: "text" };
import d2 from "../../../docs/acknowledge-and-escalate.md" with { type: "text" };
import d3 from "../../../docs/alerts.md" with { type: "text" };
import d4 from "../../../docs/channels.md" with { type: "text" };
import d5 from "../../../docs/checkins.md" with { type: "text" };
import d6 from "../../../docs/cluster.md" with { type: "text" };
import d7 from "../../../docs/configuration.md" with { type: "text" };
import d8 from "../../../docs/configuration-reference.md" with { type: "text" };
import d9 from "../../../docs/dashboard.md" with { type: "text" };
import d10 from "../../../docs/data-checks.md" with { type: "text" };
import d11 from "../../../docs/delivery.md" with { type: "text" };
import d12 from "../../../docs/demo.md" with { type: "text" };
import d13 from "../../../docs/deno.md" with { type: "text" };
import d14 from "../../../docs/development.md" with { type: "text" };
import d15 from "../../../docs/file-operations.md" with { type: "text" };
import d16 from "../../../docs/freshness.md" with { type: "text" };
import d17 from "../../../docs/grouping.md" with { type: "text" };
import d18 from "../../../docs/incident-examples.md" with { type: "text" };
import d19 from "../../../docs/incidents.md" with { type: "text" };
import d20 from "../../../docs/install-linux.md" with { type: "text" };
import d21 from "../../../docs/install-windows.md" with { type: "text" };
import d22 from "../../../docs/key-value-store.md" with { type: "text" };
import d23 from "../../../docs/load-script.md" with { type: "text" };
import d24 from "../../../docs/monitoring.md" with { type: "text" };
import d25 from "../../../docs/qlik-cloud.md" with { type: "text" };
import d26 from "../../../docs/reports.md" with { type: "text" };
import d27 from "../../../docs/rest-and-mqtt.md" with { type: "text" };
import d28 from "../../../docs/routes.md" with { type: "text" };
import d29 from "../../../docs/schedules.md" with { type: "text" };
import d30 from "../../../docs/security.md" with { type: "text" };
import d31 from "../../../docs/silences-and-maintenance.md" with { type: "text" };
import d32 from "../../../docs/site-monitoring.md" with { type: "text" };
import d33 from "../../../docs/status.md" with { type: "text" };
import d34 from "../../../docs/switching-from-butler.md" with { type: "text" };
import d35 from "../../../docs/templates.md" with { type: "text" };
import d36 from "../../../docs/troubleshooting.md" with { type: "text" };
import d37 from "../../../docs/upgrading.md" with { type: "text" };
import d38 from "../../../docs/watchdog.md" with { type: "text" };

export const EMBEDDED_DOCS: Readonly<Record<string, string>> = {
  README: d1,
  "acknowledge-and-escalate": d2,
  alerts: d3,
  channels: d4,
  checkins: d5,
  cluster: d6,
  configuration: d7,
  "configuration-reference": d8,
  dashboard: d9,
  "data-checks": d10,
  delivery: d11,
  demo: d12,
  deno: d13,
  development: d14,
  "file-operations": d15,
  freshness: d16,
  grouping: d17,
  "incident-examples": d18,
  incidents: d19,
  "install-linux": d20,
  "install-windows": d21,
  "key-value-store": d22,
  "load-script": d23,
  monitoring: d24,
  "qlik-cloud": d25,
  reports: d26,
  "rest-and-mqtt": d27,
  routes: d28,
  schedules: d29,
  security: d30,
  "silences-and-maintenance": d31,
  "site-monitoring": d32,
  status: d33,
  "switching-from-butler": d34,
  templates: d35,
  troubleshooting: d36,
  upgrading: d37,
  watchdog: d38,
};
