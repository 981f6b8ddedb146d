// Store table of remediation actions: one row per action a person asked for, the incident's timeline of it and the
// claim that makes a cluster act once. A Steward claims a due action with a lease (one UPDATE on its row); another
// takes it over only once the lease has run out, and then first looks whether the run had been started. A task has
// at most one action not yet ended (a partial unique index): two people asking at once share one retry. Under the
// two-person rule an action waits for a second person's confirmation (version 2), one awaiting per task. A rule
// retries a cause shared by several failures (one data source) through one probe task first (version 3): one open
// probe per cause on the whole site, the others waiting for its retry to succeed, their retries then following it. A
// re-run or a chain's start waiting for a free engine notes since when (version 4): the wait has a limit. An outcome
// is told to each receiver of its page: the receivers each telling reached are kept (version 5), the others get its update.
import type { MigrationSet } from "../../platform/store/database";

export const remediationMigrations: MigrationSet = {
  module: "remediation",
  migrations: [
    {
      version: 1,
      name: "remediation actions",
      sql: `
        CREATE TABLE remediation_actions (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          incident_id INTEGER NOT NULL,
          task_id TEXT NOT NULL,
          task_name TEXT NOT NULL,
          node TEXT,
          kind TEXT NOT NULL,
          cause_id INTEGER NOT NULL DEFAULT 0,
          after_id INTEGER NOT NULL DEFAULT 0,
          status TEXT NOT NULL,
          requested_by TEXT NOT NULL,
          requested_from TEXT NOT NULL,
          requested_ip TEXT,
          requested_at INTEGER NOT NULL,
          due_at INTEGER NOT NULL,
          claimed_by TEXT,
          claimed_at INTEGER,
          lease_until INTEGER,
          claims INTEGER NOT NULL DEFAULT 0,
          taken_from TEXT,
          seen_execution TEXT,
          started_at INTEGER,
          execution_id TEXT,
          qlik_answer TEXT,
          ended_at INTEGER,
          outcome TEXT,
          outcome_line TEXT,
          told_event_id TEXT
        );
        CREATE INDEX remediation_actions_due ON remediation_actions (status, due_at);
        CREATE INDEX remediation_actions_incident ON remediation_actions (incident_id);
        CREATE INDEX remediation_actions_task ON remediation_actions (task_id, status);
        CREATE UNIQUE INDEX remediation_actions_one_per_task ON remediation_actions (task_id) WHERE status IN ('pending', 'claimed', 'started');
      `,
    },
    {
      version: 2,
      name: "remediation two-person approval",
      // An action a person asked for under the two-person rule waits, 'awaiting', until a second person confirms it:
      // its approval key names what was asked (a task's retry, a cause's re-run: several rows confirmed together).
      sql: `
        ALTER TABLE remediation_actions ADD COLUMN approval_key TEXT;
        ALTER TABLE remediation_actions ADD COLUMN confirmed_by TEXT;
        ALTER TABLE remediation_actions ADD COLUMN confirmed_from TEXT;
        ALTER TABLE remediation_actions ADD COLUMN confirmed_ip TEXT;
        ALTER TABLE remediation_actions ADD COLUMN confirmed_at INTEGER;
        CREATE INDEX remediation_actions_approval ON remediation_actions (approval_key, status);
        CREATE UNIQUE INDEX remediation_actions_one_awaiting ON remediation_actions (task_id) WHERE status = 'awaiting';
      `,
    },
    {
      version: 3,
      name: "remediation cause probes",
      // follows_id: a retry asked for because the cause's probe retry (that action) succeeded; 0 for any other.
      sql: `
        ALTER TABLE remediation_actions ADD COLUMN follows_id INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE remediation_cause_probes (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          cause_key TEXT NOT NULL,
          rule_name TEXT NOT NULL,
          incident_id INTEGER NOT NULL,
          task_id TEXT NOT NULL,
          task_name TEXT NOT NULL,
          status TEXT NOT NULL,
          opened_at INTEGER NOT NULL,
          ended_at INTEGER
        );
        CREATE UNIQUE INDEX remediation_cause_probes_one_open ON remediation_cause_probes (cause_key) WHERE status = 'probing';
        CREATE INDEX remediation_cause_probes_incident ON remediation_cause_probes (incident_id);
        CREATE TABLE remediation_cause_waiters (
          probe_id INTEGER NOT NULL,
          incident_id INTEGER NOT NULL,
          task_id TEXT NOT NULL,
          task_name TEXT NOT NULL,
          node TEXT,
          held_at INTEGER NOT NULL,
          PRIMARY KEY (probe_id, task_id)
        );
      `,
    },
    {
      version: 4,
      name: "remediation engine wait",
      // waiting_since: when a re-run or a chain's start first found its node's queue empty and every engine busy; the
      // wait is bounded from then (remediation.engineWait), on whichever Steward of a cluster looks.
      sql: "ALTER TABLE remediation_actions ADD COLUMN waiting_since INTEGER;",
    },
    {
      version: 5,
      name: "remediation outcome told to the page's other receivers",
      // A message's telling is per action (told_event_id) but reaches only its own receivers: each receiver a message
      // carrying the outcome was built for is kept (told-receivers.ts), and rest_told says whether the page's other
      // receivers were told by the action's update: 'none' when none was left, `<update id>:claimed` while one Steward
      // queues it, the update's id once queued; NULL until a Steward has looked.
      sql: `
        ALTER TABLE remediation_actions ADD COLUMN rest_told TEXT;
        CREATE TABLE remediation_told_receivers (
          action_id INTEGER NOT NULL,
          channel TEXT NOT NULL,
          recipient TEXT NOT NULL,
          event_id TEXT NOT NULL,
          told_at INTEGER NOT NULL,
          PRIMARY KEY (action_id, channel, recipient)
        );
      `,
    },
  ],
};
