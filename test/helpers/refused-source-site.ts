// A small site whose two Finance loads fail on the same refused data source: the failures the report and assistant
// tests read back (their failing lines, their cause). `prefix` keeps each test's ids apart.

export const REFUSED = "Connection refused: the ERP server did not accept the connection";

/** The site's YAML, and its two reload tasks' ids (`…01`, `…02`) and apps' (`…10`, `…11`). */
export function refusedSourceSite(name: string, prefix: string): { yaml: string; tasks: [string, string] } {
  const tasks: [string, string] = [`${prefix}01`, `${prefix}02`];
  const yaml = `
site: { name: ${name} }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
  - { userDirectory: CORP, userId: anna, name: Anna Svensson }
streams:
  - { name: Finance }
apps:
  - { id: ${prefix}10, name: Ledger, owner: CORP\\anna, stream: Finance }
  - { id: ${prefix}11, name: Payables, owner: CORP\\anna, stream: Finance }
tasks:
  - { id: ${tasks[0]}, name: Reload Ledger, type: reload, app: Ledger, scriptError: "${REFUSED}" }
  - { id: ${tasks[1]}, name: Reload Payables, type: reload, app: Payables, scriptError: "${REFUSED}" }
`;
  return { yaml, tasks };
}
