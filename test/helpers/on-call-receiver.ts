// The server under the local stand-ins for PagerDuty (pagerduty-receiver.ts) and Opsgenie / JSM (opsgenie-receiver.ts):
// each request is checked by the vendor's module against the vendor's published request format; a request that breaks
// it is answered 400 as the vendor does and kept in `rejected`, so a test fails on it. Accepted ones are kept in order,
// and folded into the alerts the product would hold (vendor-alerts.ts). Outages (refuse) and slow answers (hold) are
// the test's to make.
import type { z } from "zod";
import { type VendorAction, type VendorAlert, vendorAlerts } from "./vendor-alerts";

export interface Received<T> {
  at: number;
  path: string;
  body: T;
}

export interface OnCallReceiver<T> {
  url: string;
  accepted: Array<Received<T>>;
  rejected: string[];
  /** The alerts the product holds after the accepted requests: a repeated trigger of an open key is no new one. */
  alerts: VendorAlert[];
  /** Acknowledges and resolves the product took for a key with no open alert (it drops them). */
  droppedActions: Array<{ action: VendorAction; key: string }>;
  /** Answers every request with this status (a vendor's outage) and keeps none; undefined: back to normal. */
  refuse(status: number | undefined): void;
  /** Requests answered by refuse(). */
  refused: number;
  /** Holds every answer until release() (a request in flight when a Steward dies). */
  hold(): void;
  release(): void;
  stop(): Promise<void>;
}

/** What a vendor's module tells the receiver: how it checks a request, answers it, and what it does to an alert. */
export interface Vendor<T> {
  /** The request as the product reads it, or what is wrong with it (the product refuses it). */
  check(req: Request, path: string, body: unknown): T | string;
  /** The product's answer to a request it refuses: its status and body. */
  refusal(problem: string): { status: number; body: unknown };
  /** Its answer (202) to a request it takes. */
  answer(body: T): unknown;
  /** What the request does to the product's alert of its key. */
  alertStep(body: T): { action: VendorAction; key: string };
}

/** A receiver on a free loopback port, checking and answering as `vendor` does. */
export function startOnCallReceiver<T>(vendor: Vendor<T>): OnCallReceiver<T> {
  const accepted: Array<Received<T>> = [];
  const alerts = vendorAlerts();
  const rejected: string[] = [];
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  let refusing: number | undefined;
  let refused = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const u = new URL(req.url);
      const path = `${u.pathname}${u.search}`;
      if (refusing !== undefined) {
        refused++;
        return Response.json({ status: "throttled", message: "try again later" }, { status: refusing });
      }
      const refuse = (why: string) => {
        rejected.push(`${path}: ${why}`);
        const r = vendor.refusal(why);
        return Response.json(r.body, { status: r.status });
      };
      let body: unknown;
      try {
        body = await req.json();
      } catch {
        return refuse("body is not JSON");
      }
      const r = vendor.check(req, path, body);
      if (typeof r === "string") return refuse(r);
      accepted.push({ at: Date.now(), path, body: r });
      // Taken when accepted: an answer held back (a slow vendor) is of an event the product already has.
      const step = vendor.alertStep(r);
      alerts.take(step.action, step.key);
      if (gate) await gate.promise;
      return Response.json(vendor.answer(r), { status: 202 });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    accepted,
    rejected,
    alerts: alerts.all,
    droppedActions: alerts.dropped,
    refuse: (status) => void (refusing = status),
    get refused() {
      return refused;
    },
    hold() {
      let open!: () => void;
      const promise = new Promise<void>((r) => (open = r));
      gate = { promise, open };
    },
    release() {
      gate?.open();
      gate = undefined;
    },
    stop: () => server.stop(true),
  };
}

/** A zod error as one line naming each field and what is wrong with it. */
export const problem = (e: z.ZodError) => e.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
