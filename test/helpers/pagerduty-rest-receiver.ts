// A local PagerDuty REST API, the two calls Steward's notes make, taking only what PagerDuty's published REST API v2
// takes (developer.pagerduty.com, REST API → Incidents → "List incidents", "Create a note on an incident"): every
// request carries `Authorization: Token token=<key>`; GET /incidents?incident_key=…&statuses[]=… lists the incidents
// of that key in those statuses ({incidents, limit, offset, more}); POST /incidents/{id}/notes with a `From` header
// (a user's e-mail, required for an account-level key) and {note: {content}} answers 201 {note}. 401 to a wrong key,
// 404 to an unknown incident, 400 {error: {message, code: 2001, errors}} to a body it cannot take. The incidents are
// the Events API receiver's alerts (their incident numbers as ids P1, P2, …), as PagerDuty opens one per alert.
import { z } from "zod";
import type { VendorAlert } from "./vendor-alerts";

const NoteSchema = z.strictObject({ note: z.strictObject({ content: z.string().min(1).max(25_000) }) });
const STATUSES = new Set(["triggered", "acknowledged", "resolved"]);

export interface PagerDutyRestReceiver {
  url: string;
  /** The notes taken: the incident's key, who wrote it (From), its content. */
  notes: Array<{ key: string; from: string; content: string }>;
  rejected: string[];
  stop(): Promise<void>;
}

export function startPagerDutyRestReceiver(apiKey: string, alerts: () => readonly VendorAlert[]): PagerDutyRestReceiver {
  const notes: PagerDutyRestReceiver["notes"] = [];
  const rejected: string[] = [];
  const statusOf = (a: VendorAlert) => a.status;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const u = new URL(req.url);
      const refuse = (status: number, message: string) => {
        rejected.push(`${req.method} ${u.pathname}: ${message}`);
        return Response.json({ error: { message, code: status === 400 ? 2001 : status === 404 ? 2100 : 2006, errors: [message] } }, { status });
      };
      if (req.headers.get("authorization") !== `Token token=${apiKey}`) return refuse(401, "Authorization is not Token token=<the key>");
      if (req.method === "GET" && u.pathname === "/incidents") {
        const key = u.searchParams.get("incident_key");
        const statuses = u.searchParams.getAll("statuses[]");
        if (statuses.some((s) => !STATUSES.has(s))) return refuse(400, "statuses[] takes triggered, acknowledged, resolved");
        const found = alerts().filter((a) => (key === null || a.key === key) && (statuses.length === 0 || statuses.includes(statusOf(a))));
        const incidents = found.map((a) => ({ id: `P${a.incident}`, type: "incident", incident_key: a.key, status: a.status }));
        return Response.json({ incidents, limit: 25, offset: 0, more: false, total: null });
      }
      const m = /^\/incidents\/([^/]+)\/notes$/.exec(u.pathname);
      if (req.method === "POST" && m) {
        const from = req.headers.get("from") ?? "";
        if (!z.email().safeParse(from).success) return refuse(400, "From must be the e-mail of a PagerDuty user");
        if (!req.headers.get("content-type")?.includes("application/json")) return refuse(400, "Content-Type is not application/json");
        const alert = alerts().find((a) => `P${a.incident}` === m[1]);
        if (!alert) return refuse(404, "Not Found");
        const body = NoteSchema.safeParse(await req.json().catch(() => undefined));
        if (!body.success) return refuse(400, body.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
        notes.push({ key: alert.key, from, content: body.data.note.content });
        return Response.json({ note: { id: `N${notes.length}`, content: body.data.note.content, created_at: new Date().toISOString() } }, { status: 201 });
      }
      return refuse(404, `${req.method} ${u.pathname} is not a call this stand-in knows`);
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, notes, rejected, stop: () => server.stop(true) };
}
