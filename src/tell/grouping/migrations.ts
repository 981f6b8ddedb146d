// Store tables of incidents per cause: one row per parent (at most one open per cause, enforced by a partial unique
// index so two Stewards opening the same cause at once end up with one) and one row per symptom (a task or app the
// cause affects), from which the parent lists what is affected and knows when the last symptom recovered.
import type { MigrationSet } from "../../platform/store/database";

export const groupingMigrations: MigrationSet = {
  module: "grouping",
  migrations: [
    {
      version: 1,
      name: "cause parents and their symptoms",
      sql: `
        CREATE TABLE cause_parents (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          cause_key TEXT NOT NULL,
          title TEXT NOT NULL,
          status TEXT NOT NULL,
          opened_at INTEGER NOT NULL,
          last_at INTEGER NOT NULL,
          closed_at INTEGER,
          first_event_id TEXT NOT NULL
        );
        CREATE UNIQUE INDEX cause_parents_open ON cause_parents (cause_key) WHERE status = 'open';
        CREATE TABLE cause_symptoms (
          parent_id INTEGER NOT NULL,
          subject TEXT NOT NULL,
          task_name TEXT,
          app_name TEXT,
          stream TEXT,
          kind TEXT NOT NULL,
          event_id TEXT NOT NULL,
          state TEXT NOT NULL,
          first_at INTEGER NOT NULL,
          last_at INTEGER NOT NULL,
          recovered_at INTEGER,
          PRIMARY KEY (parent_id, subject)
        );
        CREATE INDEX cause_symptoms_subject ON cause_symptoms (subject, state);
      `,
    },
    {
      version: 2,
      name: "symptoms name their task and app by id, and tasks waiting on a cause are listed",
      // task_id and app_id let a later symptom (a chain that stopped, a stale app) find the parent of its upstream.
      sql: `
        ALTER TABLE cause_symptoms ADD COLUMN task_id TEXT;
        ALTER TABLE cause_symptoms ADD COLUMN app_id TEXT;
        CREATE INDEX cause_symptoms_task ON cause_symptoms (task_id);
        CREATE INDEX cause_symptoms_app ON cause_symptoms (app_id);
      `,
    },
    {
      version: 3,
      name: "the node each task last ran on",
      // A node's cause lists what the node runs, and a missed start (the watchdog does not know the node) is put on
      // the node the task last ran on. Shared by the Stewards of a site: each hears its own node's runs.
      sql: `
        CREATE TABLE cause_task_nodes (
          task_id TEXT PRIMARY KEY,
          node TEXT NOT NULL,
          task_name TEXT NOT NULL,
          app_id TEXT,
          app_name TEXT,
          stream TEXT,
          seen_at INTEGER NOT NULL
        );
        CREATE INDEX cause_task_nodes_node ON cause_task_nodes (node);
      `,
    },
    {
      version: 4,
      name: "where a parent paged, when it last did, and how many updates it sent",
      // An update of a parent goes to the channels and recipients its first page went to, at most once per
      // grouping.updates.every; last_page_at is claimed with a conditional UPDATE so two Stewards send one update.
      sql: `
        ALTER TABLE cause_parents ADD COLUMN last_page_at INTEGER;
        ALTER TABLE cause_parents ADD COLUMN page_to TEXT;
        ALTER TABLE cause_parents ADD COLUMN updates INTEGER NOT NULL DEFAULT 0;
      `,
    },
    {
      version: 5,
      name: "every run folded into a parent",
      // A symptom row is one per task and keeps only its latest event: each failed run held as a symptom is kept here,
      // so the parent's pages name every run it folded (issue 58), not only the tasks.
      sql: `
        CREATE TABLE cause_runs (
          parent_id INTEGER NOT NULL,
          run_id TEXT NOT NULL,
          at INTEGER NOT NULL,
          PRIMARY KEY (parent_id, run_id)
        );
      `,
    },
    {
      version: 6,
      name: "who received a watchdog condition's page",
      // task.on_track follows up the page of the condition it closes: only a channel and recipient that received that
      // page get it (issue 64). Shared by the Stewards of a site: one may page, another see the condition close.
      sql: `
        CREATE TABLE page_receivers (
          condition_key TEXT NOT NULL,
          channel TEXT NOT NULL,
          recipient TEXT NOT NULL,
          at INTEGER NOT NULL,
          PRIMARY KEY (condition_key, channel, recipient)
        );
        CREATE INDEX page_receivers_at ON page_receivers (at);
      `,
    },
    {
      version: 7,
      name: "when each node's Scheduler was last heard",
      // A node whose datagrams stopped while its tasks miss their starts is down (issue 64). Written by whichever
      // Steward hears the node (each node's appender may target its own), at most once a minute.
      sql: `
        CREATE TABLE cause_node_heard (
          node TEXT PRIMARY KEY,
          heard_at INTEGER NOT NULL
        );
      `,
    },
    {
      version: 8,
      name: "who acknowledged a cause",
      // One incident per cause (issue 74): acknowledging the cause's page acknowledges the cause and every task incident
      // it holds open, from the page, the dashboard, the API or the assistant alike. A run is looked up by its id to find
      // the ended cause that explains a task still failing (a run Qlik cancelled in a queue that has since emptied).
      sql: `
        ALTER TABLE cause_parents ADD COLUMN acknowledged_at INTEGER;
        ALTER TABLE cause_parents ADD COLUMN acknowledged_by TEXT;
        ALTER TABLE cause_parents ADD COLUMN acknowledged_note TEXT;
        CREATE INDEX cause_runs_run ON cause_runs (run_id);
      `,
    },
    {
      version: 9,
      name: "each Qlik Cloud tenant's task chains",
      // A failed Cloud reload's cause names the tasks after it (issue 76). The watchdog's Steward reads the tenant's
      // tasks; the Steward polling its reloads hears the failure: in a cluster two Stewards, so the look is kept here.
      sql: `
        CREATE TABLE cause_cloud_tasks (
          host TEXT PRIMARY KEY,
          digest TEXT NOT NULL,
          tasks TEXT NOT NULL,
          read_at INTEGER NOT NULL
        );
      `,
    },
    {
      version: 10,
      name: "the chains of the watchdog's QRS plan",
      // A failed task's cause names the tasks after it (the upstream rule). The watchdog's Steward reads the plan; the
      // Steward of the node that ran the task hears the failure: with one Steward per node, often two Stewards.
      sql: `
        CREATE TABLE cause_chain_plan (
          site TEXT PRIMARY KEY,
          digest TEXT NOT NULL,
          plan TEXT NOT NULL,
          read_at INTEGER NOT NULL
        );
      `,
    },
  ],
};
