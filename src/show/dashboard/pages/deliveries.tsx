/** @jsxImportSource hono/jsx */
// GET /ui/deliveries: the notification outbox by status, with Retry on dead-lettered or suppressed deliveries.
import { ApiProblem } from "../components";
import { Layout } from "../layout";
import type { PageHandler } from "../types";
import { DeliveryTable, type DeliveryView } from "./delivery-table";

const FILTERS: Array<[string, string]> = [
  ["", "All"],
  ["pending,sending", "In flight"],
  ["delivered", "Delivered"],
  ["dead", "Dead-lettered"],
  ["suppressed", "Suppressed"],
  ["grouping,grouped", "Digests"],
];

export const deliveriesPage: PageHandler = async (c, { api, inbox, siteClock }) => {
  const status = c.req.query("status") ?? "";
  const qs = new URLSearchParams({ limit: "200" });
  if (status) qs.set("status", status);
  const res = await api<{ deliveries: DeliveryView[] }>(c, `/v4/deliveries?${qs}`);
  return c.html(
    <Layout title="Deliveries" nav={{ active: "deliveries", inbox: inbox() !== undefined, clock: siteClock() }}>
      <div class="toolbar">
        {FILTERS.map(([s, label]) => (
          <a
            class="btn"
            href={s ? `/ui/deliveries?status=${s}` : "/ui/deliveries"}
            style={s === status ? "background:var(--info-bg);font-weight:600" : undefined}
          >
            {label}
          </a>
        ))}
        <span class="spacer"></span>
        <span class="small muted">Each alert to each channel and recipient, newest first (at most 200).</span>
      </div>
      <section class="card tight">
        {res.ok ? <DeliveryTable rows={res.data.deliveries} /> : <ApiProblem status={res.status} error={res.error} what="Deliveries" />}
      </section>
    </Layout>,
  );
};
