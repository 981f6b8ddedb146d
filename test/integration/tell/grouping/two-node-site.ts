// The two-node site of the node-down scenarios: eight hourly tasks on Reload01 and four on Central, all at :05 UTC.
export const START = Date.parse("2026-03-10T00:00:00Z");
export const MIN = 60_000;
export const NIGHT = Array.from({ length: 8 }, (_, i) => `Night ${i}`);
export const CENTRAL = Array.from({ length: 4 }, (_, i) => `Central ${i}`);
/** What a node's outage raises and ends: its services, its tasks' missed starts and failures, its apps left stale. */
export const NODE_OUTAGE_KINDS = ["service.stopped", "service.started", "task.missed", "task.on_track", "task.failed", "task.recovered", "app.stale"];

export function twoNodeSite(): string {
  const hourly = `{ type: schema, name: Hourly, incrementOption: hourly, startDate: "2026-03-01T00:05:00.000", timeZone: UTC }`;
  const apps = [...NIGHT, ...CENTRAL].map((n) => `  - { name: ${n} app, owner: CORP\\anna, stream: Ops }`);
  const tasks = [
    ...NIGHT.map((n) => `  - { name: ${n}, type: reload, app: ${n} app, node: Reload01, durationMs: 30000, triggers: [${hourly}] }`),
    ...CENTRAL.map((n) => `  - { name: ${n}, type: reload, app: ${n} app, node: Central, durationMs: 30000, triggers: [${hourly}] }`),
  ];
  return `site: { name: Node down, buildVersion: 34.12.3 }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna, email: anna@corp.example }
streams: [{ name: Ops }]
apps:
${apps.join("\n")}
tasks:
${tasks.join("\n")}
`;
}
