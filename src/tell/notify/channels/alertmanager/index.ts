// Prometheus Alertmanager channel: each open incident (or cause) is one alert on POST /api/v2/alerts. The channel
// posts it when a notification opens or updates it and remembers it in its durable state; the re-sender
// (resender.ts) posts every remembered alert again each resendEvery, and a closing notification (or the re-sender,
// finding its incident or cause closed) posts it with endsAt and forgets it.
import { type ChannelDefinition, type Notification, TEST_SEND_ROUTE } from "../../types";
import { createHttpClient, safeUrl } from "../../../../platform/http/http-client";
import { type PostableAlert, type StewardAlert, stewardAlert } from "./alert";
import { alertsUrl, createAlertPoster } from "./post";
import { AlertmanagerChannelSchema } from "./schema";

/** Channel-state keys of the alerts still open. */
export const OPEN_PREFIX = "alert:";

/** What the channel remembers of an open alert: what it last posted, and what the re-sender asks about. */
export interface StoredAlert {
  alert: PostableAlert;
  ref: StewardAlert["ref"];
  /** The test-mode target it was posted to instead of urls. */
  target?: string;
}

export function parseStoredAlert(value: string): StoredAlert | undefined {
  try {
    const v = JSON.parse(value) as StoredAlert;
    return v && typeof v.alert === "object" && typeof v.alert.labels === "object" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A test send to the channel, or a test event sent through the routes (POST /v4/alerts/test). */
const isTest = (n: Notification) => n.route === TEST_SEND_ROUTE || ("source" in n.event && n.event.source === "test");

export const alertmanagerChannel: ChannelDefinition<"alertmanager"> = {
  type: "alertmanager",
  schema: AlertmanagerChannelSchema,
  addressable: false,
  supportsDigest: false,
  keepsAlerts: true,
  templateParts: [],
  preview: (cfg, n, deps) => {
    const a = stewardAlert(cfg, n.event, { ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}), now: deps.clock.now() });
    const urls = n.test?.target ? [n.test.target] : cfg.urls;
    return { urls: urls.map((u) => safeUrl(alertsUrl(u))), state: a.state, body: [a.alert] };
  },
  create(cfg, deps) {
    const client = createHttpClient({ baseDir: deps.baseDir, rejectUnauthorized: cfg.rejectUnauthorized, ...(cfg.ca ? { ca: cfg.ca } : {}) });
    const post = createAlertPoster(cfg, client, deps.log);
    return {
      async send(n, signal) {
        const now = deps.clock.now();
        const a = stewardAlert(cfg, n.event, { ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}), now });
        const target = n.test?.target;
        const key = OPEN_PREFIX + a.key;
        // A test is posted once, not remembered: nothing would ever end it (Alertmanager resolves it after resolve_timeout).
        if (a.state === "once" || (a.state === "firing" && isTest(n))) return post([a.alert], signal, target);
        const raw = await deps.state.get(key);
        const stored = raw === undefined ? undefined : parseStoredAlert(raw);
        if (a.state === "firing") {
          // The labels are the alert's identity in Alertmanager: an update keeps those it opened with.
          const alert = stored ? { ...a.alert, labels: stored.alert.labels, startsAt: stored.alert.startsAt } : a.alert;
          await post([alert], signal, target);
          await deps.state.set(key, JSON.stringify({ alert, ref: stored?.ref ?? a.ref, ...(target ? { target } : {}) } satisfies StoredAlert));
          return;
        }
        // Nothing open to end: nothing is sent, and the delivery is recorded so (never delivered without a request).
        if (!stored || raw === undefined) return { nothingSent: `no Alertmanager alert ${a.key} is open that this channel posted: nothing to end` };
        // Forgotten before it is ended, so a re-send that raced with it sees it gone and ends it again (resender.ts);
        // remembered again when no Alertmanager took the end, for the outbox's retry.
        if (!(await deps.state.take(key))) return { nothingSent: `Alertmanager alert ${a.key} was ended by the re-sender meanwhile` };
        const ended = { ...stored.alert, annotations: { ...stored.alert.annotations, ...a.alert.annotations }, endsAt: new Date(now).toISOString() };
        try {
          await post([ended], signal, stored.target);
        } catch (err) {
          await deps.state.set(key, raw);
          throw err;
        }
      },
      async close() {
        client.close();
      },
    };
  },
};
