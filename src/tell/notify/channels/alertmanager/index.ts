// Prometheus Alertmanager channel: each open incident (or cause) is one alert on POST /api/v2/alerts. The channel
// posts it when a notification opens or updates it and remembers it in its durable state; the re-sender
// (resender.ts) posts every remembered alert again each resendEvery, and a closing notification (or the re-sender,
// finding its incident or cause closed) posts it with endsAt, the end written down first so that a Steward killed
// half way leaves it for the next to post (end-alert.ts).
import { type ChannelDefinition, type Notification, TEST_SEND_ROUTE } from "../../types";
import { createHttpClient, safeUrl } from "../../../../platform/http/http-client";
import { isUnconfirmedSuccess, UNCONFIRMED_NOT_TOLD } from "../../on-call/alert";
import { stewardAlert } from "./alert";
import { endStoredAlert } from "./end-alert";
import { alertsUrl, createAlertPoster } from "./post";
import { OPEN_PREFIX, parseStoredAlert, type StoredAlert } from "./stored-alert";
import { AlertmanagerChannelSchema } from "./schema";

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
        if (isUnconfirmedSuccess(n.event) && n.test === undefined) return { nothingSent: UNCONFIRMED_NOT_TOLD };
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
          // One remembered as ended is over: this opens a new alert.
          const open = stored?.ended ? undefined : stored;
          const alert = open ? { ...a.alert, labels: open.alert.labels, startsAt: open.alert.startsAt } : a.alert;
          await post([alert], signal, target);
          await deps.state.set(key, JSON.stringify({ alert, ref: open?.ref ?? a.ref, ...(target ? { target } : {}) } satisfies StoredAlert));
          return;
        }
        // Nothing open to end: nothing is sent, and the delivery is recorded so (never delivered without a request).
        if (!stored || raw === undefined) return { nothingSent: `no Alertmanager alert ${a.key} is open that this channel posted: nothing to end` };
        // Its end carries the closing notification's annotations (who resolved it, how it recovered).
        const endOf = (s: StoredAlert) => ({
          ...s.alert,
          annotations: { ...s.alert.annotations, ...a.alert.annotations },
          endsAt: new Date(now).toISOString(),
        });
        if ((await endStoredAlert(deps.state, key, post, signal, endOf, "keep-ended")) === "gone")
          return { nothingSent: `Alertmanager alert ${a.key} was already ended (by the re-sender, or an earlier notification)` };
      },
      async close() {
        client.close();
      },
    };
  },
};
