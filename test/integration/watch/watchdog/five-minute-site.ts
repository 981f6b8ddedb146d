// A one-task site for the watchdog tests: Reload Extract every 5 simulated minutes, 30 s a run.
export const FIVE_MINUTE_SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: INTERNAL, userId: sa_scheduler, name: sa_scheduler }]
apps: [{ name: Extract, owner: INTERNAL\\sa_scheduler }]
tasks:
  - name: Reload Extract
    type: reload
    app: Extract
    durationMs: 30000
    triggers:
      - { type: schema, name: Every 5 minutes, incrementOption: custom, incrementDescription: "5 0 0 0", startDate: "2026-01-01T00:00:00.000", timeZone: UTC }
`;
