// The site and windows of the node-window cause scenarios (issue 106/101): the simulator's two nodes (Central: sense1,
// Reload01: reload01), eight hourly tasks on Reload01 and four on Central at :05 UTC, each reading the DWH (its error
// when it fails), a daily chain (Upstream on Reload01, then Downstream on Central), and four one-off maintenance windows
// on reload01.
import { CENTRAL, MIN, NIGHT, START } from "../grouping/two-node-site";

export const DWH = "Connection refused: the DWH server did not accept the connection";
export const taskId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
export const UPSTREAM = taskId(99);

/** The two-node site of the node-down scenarios, each task reading the DWH (its error when it fails). */
export function site(): string {
  const hourly = `{ type: schema, name: Hourly, incrementOption: hourly, startDate: "2026-03-01T00:05:00.000", timeZone: UTC }`;
  const all = [...NIGHT.map((n) => [n, "Reload01"]), ...CENTRAL.map((n) => [n, "Central"])];
  const apps = all.map(([n]) => `  - { name: ${n} app, owner: CORP\\anna, stream: Ops }`);
  const tasks = all.map(
    ([n, node], i) =>
      `  - { id: ${taskId(i)}, name: ${n}, type: reload, app: ${n} app, node: ${node}, durationMs: 30000, scriptError: "${DWH}", triggers: [${hourly}] }`,
  );
  // A chain once a day: Upstream on Reload01, then Downstream on Central (a task-event trigger).
  const daily = `{ type: schema, name: Daily, incrementOption: daily, startDate: "2026-03-01T05:05:00.000", timeZone: UTC }`;
  apps.push("  - { name: Upstream app, owner: CORP\\anna, stream: Ops }", "  - { name: Downstream app, owner: CORP\\anna, stream: Ops }");
  tasks.push(
    `  - { id: ${UPSTREAM}, name: Upstream, type: reload, app: Upstream app, node: Reload01, durationMs: 30000, scriptError: "Field not found: <Amount>", triggers: [${daily}] }`,
    "  - { name: Downstream, type: reload, app: Downstream app, node: Central, durationMs: 30000, triggers: [{ type: composite, name: After Upstream, rules: [{ task: Upstream, state: success }] }] }",
  );
  return `site: { name: Two nodes, buildVersion: 34.12.3 }
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

export const at = (min: number) => new Date(START + min * MIN).toISOString();
export const WINDOWS = `maintenance:
  windows:
    - { name: reload01-patches, reason: Windows updates, start: "${at(50)}", end: "${at(90)}", nodes: [reload01] }
    - { name: reload01-reboot, start: "${at(150)}", end: "${at(180)}", nodes: [reload01] }
    - { name: reload01-disk, start: "${at(210)}", end: "${at(270)}", nodes: [reload01] }
    - { name: reload01-etl, start: "${at(300)}", end: "${at(360)}", nodes: [reload01] }
`;
