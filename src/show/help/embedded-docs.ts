// Steward's documentation pages, embedded in the binary at build time (static text imports) and served at /help.
// A unit test checks that every page under docs/ is listed here. Written by scripts/gen-embedded-docs.ts.
import d1 from "../../../docs/README.md" with { type: "text" };
import d2 from "../../../docs/acknowledge-and-escalate.md" with { type: "text" };
import d3 from "../../../docs/alerts.md" with { type: "text" };
import d4 from "../../../docs/assistants.md" with { type: "text" };
import d5 from "../../../docs/channels.md" with { type: "text" };
import d6 from "../../../docs/checkins.md" with { type: "text" };
import d7 from "../../../docs/cluster.md" with { type: "text" };
import d8 from "../../../docs/configuration.md" with { type: "text" };
import d9 from "../../../docs/configuration-reference.md" with { type: "text" };
import d10 from "../../../docs/dashboard.md" with { type: "text" };
import d11 from "../../../docs/data-checks.md" with { type: "text" };
import d12 from "../../../docs/delivery.md" with { type: "text" };
import d13 from "../../../docs/demo.md" with { type: "text" };
import d14 from "../../../docs/deno.md" with { type: "text" };
import d15 from "../../../docs/development.md" with { type: "text" };
import d16 from "../../../docs/engine-reloads.md" with { type: "text" };
import d17 from "../../../docs/file-operations.md" with { type: "text" };
import d18 from "../../../docs/freshness.md" with { type: "text" };
import d19 from "../../../docs/grouping.md" with { type: "text" };
import d20 from "../../../docs/incident-examples.md" with { type: "text" };
import d21 from "../../../docs/incidents.md" with { type: "text" };
import d22 from "../../../docs/install-linux.md" with { type: "text" };
import d23 from "../../../docs/install-windows.md" with { type: "text" };
import d24 from "../../../docs/key-value-store.md" with { type: "text" };
import d25 from "../../../docs/load-script.md" with { type: "text" };
import d26 from "../../../docs/monitoring.md" with { type: "text" };
import d27 from "../../../docs/noise.md" with { type: "text" };
import d28 from "../../../docs/qlik-cloud.md" with { type: "text" };
import d29 from "../../../docs/rehearse.md" with { type: "text" };
import d30 from "../../../docs/remediation.md" with { type: "text" };
import d31 from "../../../docs/reports.md" with { type: "text" };
import d32 from "../../../docs/rest-and-mqtt.md" with { type: "text" };
import d33 from "../../../docs/routes.md" with { type: "text" };
import d34 from "../../../docs/scheduler-queue.md" with { type: "text" };
import d35 from "../../../docs/schedules.md" with { type: "text" };
import d36 from "../../../docs/security.md" with { type: "text" };
import d37 from "../../../docs/silences-and-maintenance.md" with { type: "text" };
import d38 from "../../../docs/single-sign-on.md" with { type: "text" };
import d39 from "../../../docs/site-monitoring.md" with { type: "text" };
import d40 from "../../../docs/status.md" with { type: "text" };
import d41 from "../../../docs/switching-from-butler.md" with { type: "text" };
import d42 from "../../../docs/templates.md" with { type: "text" };
import d43 from "../../../docs/troubleshooting.md" with { type: "text" };
import d44 from "../../../docs/upgrading.md" with { type: "text" };
import d45 from "../../../docs/watchdog.md" with { type: "text" };

export const EMBEDDED_DOCS: Readonly<Record<string, string>> = {
  README: d1,
  "acknowledge-and-escalate": d2,
  alerts: d3,
  assistants: d4,
  channels: d5,
  checkins: d6,
  cluster: d7,
  configuration: d8,
  "configuration-reference": d9,
  dashboard: d10,
  "data-checks": d11,
  delivery: d12,
  demo: d13,
  deno: d14,
  development: d15,
  "engine-reloads": d16,
  "file-operations": d17,
  freshness: d18,
  grouping: d19,
  "incident-examples": d20,
  incidents: d21,
  "install-linux": d22,
  "install-windows": d23,
  "key-value-store": d24,
  "load-script": d25,
  monitoring: d26,
  noise: d27,
  "qlik-cloud": d28,
  rehearse: d29,
  remediation: d30,
  reports: d31,
  "rest-and-mqtt": d32,
  routes: d33,
  "scheduler-queue": d34,
  schedules: d35,
  security: d36,
  "silences-and-maintenance": d37,
  "single-sign-on": d38,
  "site-monitoring": d39,
  status: d40,
  "switching-from-butler": d41,
  templates: d42,
  troubleshooting: d43,
  upgrading: d44,
  watchdog: d45,
};
