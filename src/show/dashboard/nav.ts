// The dashboard's navigation, grouped by the questions a Qlik administrator comes with (issue 74): what needs me now,
// what ran, are the promises kept, what does the site plan, what reached people, and running Steward itself. Each
// group's first page is where its top-level link leads; every page of a group is one sub-tab away from there.

export interface NavPage {
  /** The id a page gives as NavState.active. */
  id: string;
  href: string;
  label: string;
}

export interface NavGroup {
  id: string;
  label: string;
  /** Said as the top-level link's title: the question the group answers. */
  question: string;
  pages: NavPage[];
}

const page = (id: string, href: string, label: string): NavPage => ({ id, href, label });

export const NAV_GROUPS: readonly NavGroup[] = [
  {
    id: "now",
    label: "Now",
    question: "What needs me? Health, open incidents and what caused them",
    pages: [page("overview", "/ui", "Overview"), page("incidents", "/ui/incidents", "Incidents"), page("causes", "/ui/causes", "Causes")],
  },
  {
    id: "runs",
    label: "Runs & reloads",
    question: "What ran, what failed and why: task runs, and reloads from the hub or the editor",
    pages: [page("events", "/ui/events", "Events"), page("reloads", "/ui/reloads", "Reloads outside the Scheduler")],
  },
  {
    id: "promises",
    label: "Promises & checks",
    question: "Are the apps fresh when promised, and is their data right?",
    pages: [page("freshness", "/ui/freshness", "Freshness"), page("data-checks", "/ui/data-checks", "Data checks")],
  },
  {
    id: "site",
    label: "Site & plan",
    question: "What the site plans to run and did not, Steward's schedules, the license",
    pages: [page("watchdog", "/ui/watchdog", "Watchdog"), page("schedules", "/ui/schedules", "Schedules"), page("license", "/ui/license", "License")],
  },
  {
    id: "alerts",
    label: "Alerts & silences",
    question: "What reached people, what was held back, how noisy it was, and the morning report",
    pages: [
      page("deliveries", "/ui/deliveries", "Deliveries"),
      page("silences", "/ui/silences", "Silences"),
      page("noise", "/ui/noise", "Noise"),
      page("report", "/ui/report", "Report"),
    ],
  },
  {
    id: "admin",
    label: "Admin",
    question: "Steward itself: key-value store, audit log, who is signed in, the doctor",
    pages: [
      page("kv", "/ui/kv", "Key-value"),
      page("audit", "/ui/audit", "Audit log"),
      page("sessions", "/ui/sessions", "Sessions"),
      page("doctor", "/ui/doctor", "Doctor"),
    ],
  },
];

/**
 * The demo's capture inbox, a section of its own while the demo attaches it: in the demo it is where everything Steward
 * sent lands, the page a visitor looks at most, so it is one click from every page (with Help, still 8 sections).
 */
const INBOX: NavGroup = {
  id: "inbox",
  label: "Demo inbox",
  question: "What the demo's Steward sent: every mail (rendered) and webhook call the demo caught",
  pages: [page("inbox", "/ui/inbox", "Inbox")],
};

/** The groups as a page shows them. */
export function navGroups(inbox: boolean): NavGroup[] {
  return inbox ? [...NAV_GROUPS, INBOX] : [...NAV_GROUPS];
}

/** The group a page belongs to; none for a page outside the navigation (the sign-in page). */
export function groupOf(groups: readonly NavGroup[], pageId: string): NavGroup | undefined {
  return groups.find((g) => g.pages.some((p) => p.id === pageId));
}
