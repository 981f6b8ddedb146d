// The small simulated site the end-to-end tests of whole Steward processes share (Windows binary under Wine,
// Bun and Deno from source): one app, a failing reload with a script error, its follow-up and two tasks tagged Ops.
export const E2E_SCRIPT_ERROR = "Cannot open file: 'lib://Data/orders.qvd'";

export interface E2eSite {
  ids: { app: string; failing: string; followUp: string; opsA: string; opsB: string };
  yaml: string;
}

/** `idPrefix` is the first 34 characters of a GUID; each test uses its own so their ids never collide. */
export function e2eSite(name: string, idPrefix: string): E2eSite {
  const ids = { app: `${idPrefix}01`, failing: `${idPrefix}02`, followUp: `${idPrefix}03`, opsA: `${idPrefix}04`, opsB: `${idPrefix}05` };
  const yaml = `
site: { name: ${name} }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson, email: anna.svensson@corp.example }
streams:
  - { name: Sales }
tags: [Nightly, Finance, Ops]
apps:
  - { id: ${ids.app}, name: Sales dashboard, owner: CORP\\anna, stream: Sales, tags: [Finance] }
tasks:
  - { id: ${ids.failing}, name: Reload Sales dashboard, type: reload, app: Sales dashboard, tags: [Nightly, Finance], scriptError: "${E2E_SCRIPT_ERROR}" }
  - { id: ${ids.followUp}, name: Reload Sales fallback, type: reload, app: Sales dashboard }
  - { id: ${ids.opsA}, name: Ops refresh A, type: reload, app: Sales dashboard, tags: [Ops] }
  - { id: ${ids.opsB}, name: Ops refresh B, type: reload, app: Sales dashboard, tags: [Ops] }
`;
  return { ids, yaml };
}
