// The site of the one-night scenario (issue 74): a night with a node down, a failed upstream, a queue backlog and two
// tasks failing for reasons of their own, on three nodes. Reload01 (two engines on the night, queue timeout 30
// minutes): two 32-minute loads take both engines at 02:00, Wait 1–3 queue and Qlik cancels them at 02:30; Late 1 and
// 2 queue from 02:05, run at 02:32 and fail on their own (SQL 08001, a missing QVD). Central: Extract fails at 01:50,
// Transform waits for it. Reload02 runs Night 1 and 2 at 03:05; the test takes it down before then.
export const MIN = 60_000;
export const START = Date.parse("2026-03-02T01:30:00Z"); // Monday: every node runs its tasks, Steward learns where
export const TUESDAY = Date.parse("2026-03-03T01:30:00Z");
/** The span of Tuesday's morning report (since Monday's), sent at 07:00 (the tests' zone: UTC). */
export const FROM = "2026-03-02T07:00:00Z";
export const TO = "2026-03-03T07:00:00Z";
const SQL_08001 = "SQL##f - SqlState: 08001, ErrorCode: 17, ErrorMsg: [Microsoft][ODBC SQL Server Driver][DBNETLIB]SQL Server does not exist or access denied.";
const NO_QVD = "Cannot open file: 'lib://Data/orders/orders.qvd' The system cannot find the file specified.";

const daily = (hhmm: string) => `{ type: schema, name: Daily ${hhmm}, incrementOption: daily, startDate: "2026-02-01T${hhmm}:00.000", timeZone: UTC }`;
const on = (node: string, name: string, minutes: number, hhmm: string, fail = "") =>
  `  - { name: ${name}, type: reload, app: ${name} app, node: ${node}, durationMs: ${minutes * MIN}, triggers: [${daily(hhmm)}]${fail} }`;
const APPS = ["Long A", "Long B", "Wait 1", "Wait 2", "Wait 3", "Late 2", "Extract", "Transform", "Night 1", "Night 2"];

export const ONE_NIGHT_SITE = `site: { name: One night }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example, scheduler: { maxConcurrentEngines: 2, engineTimeout: 30 } }
  - { name: Reload02, hostName: reload02.test.example }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna, email: anna@corp.example }
streams: [{ name: Ops }]
apps:
${APPS.map((n) => `  - { name: ${n} app, owner: CORP\\anna, stream: Ops }`).join("\n")}
  - { name: Late 1 app, owner: CORP\\anna, stream: Ops, script: "Orders: SQL SELECT * FROM dbo.Orders;" }
tasks:
${["Long A", "Long B"].map((n) => on("Reload01", n, 32, "02:00")).join("\n")}
${["Wait 1", "Wait 2", "Wait 3"].map((n) => on("Reload01", n, 5, "02:00")).join("\n")}
${on("Reload01", "Late 1", 5, "02:05", `, outcome: fail, scriptError: "${SQL_08001}"`)}
${on("Reload01", "Late 2", 5, "02:05", `, outcome: fail, scriptError: "${NO_QVD}"`)}
${["Night 1", "Night 2"].map((n) => on("Reload02", n, 5, "03:05")).join("\n")}
  - { name: Extract, type: reload, app: Extract app, durationMs: ${2 * MIN}, outcome: fail, scriptError: "Field 'OrderKey' not found", triggers: [${daily("01:50")}] }
  - { name: Transform, type: reload, app: Transform app, durationMs: ${2 * MIN}, triggers: [{ type: composite, name: After Extract, rules: [{ task: Extract, state: success }] }] }
`;
