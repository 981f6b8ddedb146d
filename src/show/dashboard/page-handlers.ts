// Every dashboard page's handler, by name: imported by routes.ts with the first page asked for, not at start (a
// Steward nobody browses keeps none of the pages, their components or their charts in memory).
export { auditPage } from "./pages/audit";
export { deliveriesPage } from "./pages/deliveries";
export { doctorPage } from "./pages/doctor";
export { freshnessPage } from "./pages/freshness";
export { eventDetailPage, eventsPage } from "./pages/events";
export { inboxItemPage, inboxPage } from "./pages/inbox";
export { incidentsPage } from "./pages/incidents";
export { sessionsPage } from "./pages/sessions";
export { silencesPage } from "./pages/silences";
export { causesPage } from "./pages/causes";
export { kvPage } from "./pages/kv";
export { licensePage } from "./pages/license";
export { loginPage } from "./pages/login";
export { overviewPage } from "./pages/overview";
export { schedulesPage } from "./pages/schedules";
export { dataCheckAppPage, dataChecksPage } from "./pages/data-checks";
export { watchdogPage } from "./pages/watchdog";
export { reportPage } from "./pages/report";
export { noisePage } from "./pages/noise";
export { reloadsPage } from "./pages/reloads";
export { taskPage } from "./pages/task";
