// A one-node site whose one reload task fails on a connection error (a class remediation offers a retry for): the
// site the retry tests start, from the mail's link, the dashboard and the assistant.
export function connectionErrorSite(siteName: string, taskId: string): string {
  return `
site: { name: ${siteName} }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: CRM, owner: INTERNAL\\sa_scheduler, script: "SET a=1;" }
tasks:
  - { id: ${taskId}, name: Reload CRM, type: reload, app: CRM, maxRetries: 0, scriptError: "Cannot connect to the data source crm-db.corp.example:1433: connection refused" }
`;
}
