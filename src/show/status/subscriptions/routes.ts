// The routes of subscriptions and the feed: POST /status/subscriptions (from the /status page's form or as JSON; the
// status scope, like the page), the confirm and unsubscribe landing pages (public: the signed query is the credential;
// POST acts, with RFC 8058's one-click POST too), and GET /status/feed.atom (the status scope).
import type { Context } from "hono";
import { z } from "zod";
import type { Clock } from "../../../platform/core/clock";
import { AppError, isAppError } from "../../../platform/core/errors";
import { auditActorOf } from "../../../platform/http/audit-actor";
import { fieldName, type Router } from "../../../platform/http/route";
import type { HttpEnv } from "../../../platform/http/types";
import { atomFeed, type RecordEntry } from "./feed";
import { CONFIRM_PATH, UNSUBSCRIBE_PATH, verify } from "./links";
import { subscribeFormPage, subscriptionPage } from "./pages";
import type { SubscriptionService } from "./service";
import type { SubscriptionStore } from "./store";

export interface SubscriptionRouteDeps {
  store: SubscriptionStore;
  service: SubscriptionService;
  clock: Clock;
  /** Configured base URL, else the request's origin is used for the feed's links. */
  baseUrl?: string;
  /** What a feed of one app or promise is about ("Sales dashboard"). */
  labelOf(appId: string, promise: string): Promise<string | undefined>;
  /** The form's facts of an app, or undefined when no promise covers it. */
  appOffer(appId: string): Promise<{ appName: string; promises: Array<{ name: string; text: string }> } | undefined>;
  /** status.subscriptions.allowedDomains, when subscriptions are offered. */
  domains?: readonly string[];
  /** The promises' late days of the last 90 (their record), of every app, one app or one promise. */
  lateDays?(only: { appId?: string; promise?: string }): Promise<RecordEntry[]>;
}

const GUID = /^[0-9A-Fa-f-]{36}$/;
export const SubscribeBodySchema = z.strictObject({
  email: z.email({ error: "an e-mail address, like anna@corp.example" }).max(254),
  appId: z.string().regex(GUID, { message: "an app id (GUID)" }).optional(),
  promise: z.string().min(1).max(200).optional(),
});
const FeedQuery = z.object({
  appId: z.string().regex(GUID, { message: "an app id (GUID)" }).optional(),
  promise: z.string().min(1).max(200).optional(),
});
const LinkQuery = z.object({ id: z.coerce.number().int().min(1), x: z.coerce.number().int().min(0).optional(), s: z.string().min(10).max(100) });

const pageHeaders = (c: Context<HttpEnv>) => {
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "same-origin");
  c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
  c.header("X-Frame-Options", "DENY");
};

async function readSubscribeBody(c: Context<HttpEnv>): Promise<{ form: boolean; raw: unknown }> {
  const type = c.req.header("content-type") ?? "";
  if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) {
    const body = await c.req.parseBody();
    const raw = Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === "string" && v !== ""));
    return { form: true, raw };
  }
  const text = await c.req.text();
  try {
    return { form: false, raw: text.trim() === "" ? undefined : JSON.parse(text) };
  } catch {
    throw new AppError("BAD_REQUEST", "body: not valid JSON", { details: [{ field: "body", message: "not valid JSON" }] });
  }
}

export function registerSubscriptionRoutes(router: Router, d: SubscriptionRouteDeps): void {
  registerFormRoute(router, d);
  router.route(
    {
      method: "post",
      path: "/status/subscriptions",
      summary: "Subscribe an e-mail address to an app or a promise: a confirmation mail is sent, mails follow once it is confirmed",
      description:
        'Body (JSON or an HTML form): `{ "email": "anna@corp.example", "appId": "<app id>", "promise": "<promise name>" }`, appId or promise or both. Refused (400, naming `email`) outside status.subscriptions.allowedDomains; 429 past the rate limits.',
      tags: ["Status"],
      scope: "status",
      responses: {
        202: { description: "a mail is on its way: the confirmation, or that the address is subscribed already (the answer is the same)" },
        400: { description: "a field is wrong (named in details)" },
        429: { description: "too many requests for the address or from the client" },
      },
    },
    async (c) => {
      const { form, raw } = await readSubscribeBody(c);
      try {
        const parsed = SubscribeBodySchema.safeParse(raw ?? {});
        if (!parsed.success) {
          const details = parsed.error.issues.map((i) => ({ field: fieldName("body", i.path as PropertyKey[]), message: i.message }));
          throw new AppError("BAD_REQUEST", `${details[0]!.field}: ${details[0]!.message}`, { details });
        }
        const b = parsed.data;
        if (!b.appId && !b.promise)
          throw new AppError("BAD_REQUEST", "body.appId: name an app or a promise", {
            details: [{ field: "body.appId", message: "name an app or a promise" }],
          });
        const r = await d.service.request({ email: b.email, appId: b.appId ?? "", promise: b.promise ?? "", client: auditActorOf(c).ip ?? "unknown" });
        const message = `A mail is on its way to ${r.subscription.address}: follow its link to start getting mail about ${r.subscription.label}.`;
        if (!form) return c.json({ state: r.state, message }, 202);
        pageHeaders(c);
        return c.html(subscriptionPage("Check your mail", [message]), 202);
      } catch (err) {
        if (!form || !isAppError(err)) throw err;
        pageHeaders(c);
        const why = err.message.replace(/^[a-z.]+: /, "");
        return c.html(subscriptionPage("Not subscribed", [why.charAt(0).toUpperCase() + why.slice(1)]), err.status as 400);
      }
    },
  );

  const landing = (action: "confirm" | "unsubscribe") => async (c: Context<HttpEnv>) => {
    pageHeaders(c);
    const q = LinkQuery.safeParse(Object.fromEntries(new URL(c.req.url).searchParams));
    const bad = (title: string, text: string, status: 400 | 404 | 410) => c.html(subscriptionPage(title, [text]), status);
    if (!q.success) return bad("This link is not complete", "Open the link exactly as it is in the mail (some mail programs break long links).", 400);
    const s = await d.store.get(q.data.id);
    const now = d.clock.now();
    const secret = await d.store.key(now);
    const expiresAt = q.data.x ?? 0;
    if (!s) {
      return action === "unsubscribe"
        ? c.html(subscriptionPage("Unsubscribed", ["You get no more mail from this subscription."]), 200)
        : bad("This subscription does not exist any more", "Subscribe again on the status page.", 404);
    }
    // A link that does not verify learns nothing of the subscription its id names (not even that it exists).
    if (!verify(secret, action, s, expiresAt, q.data.s))
      return bad("This link does not work", "It was changed, or a newer mail replaced it: use the link of the latest mail.", 400);
    if (action === "confirm" && expiresAt < now && s.confirmedAt === null) return bad("This link has expired", "Subscribe again on the status page.", 410);
    const self = `${new URL(c.req.url).pathname}${new URL(c.req.url).search}`;
    if (c.req.method === "GET") {
      return action === "confirm"
        ? c.html(
            subscriptionPage("Confirm your subscription", [`Send mail to ${s.address} when ${s.label} will be late and when it is fresh again.`], {
              action: self,
              button: "Confirm",
            }),
          )
        : c.html(subscriptionPage("Unsubscribe", [`Stop the mails to ${s.address} about ${s.label}.`], { action: self, button: "Unsubscribe" }));
    }
    if (action === "confirm") {
      await d.store.confirm(s.id, now);
      return c.html(subscriptionPage("Subscribed", [`${s.address} will get a mail when ${s.label} will be late and when it is fresh again.`]));
    }
    await d.store.remove(s.id);
    return c.html(subscriptionPage("Unsubscribed", [`${s.address} gets no more mail about ${s.label}.`]));
  };
  for (const [action, path] of [
    ["confirm", CONFIRM_PATH],
    ["unsubscribe", UNSUBSCRIBE_PATH],
  ] as const) {
    router.route(
      {
        method: ["get", "post"],
        path,
        summary:
          action === "confirm"
            ? "The link of a confirmation mail: GET asks, POST confirms"
            : "The unsubscribe link of a mail: GET asks, POST unsubscribes (also RFC 8058's one-click POST)",
        tags: ["Status"],
        scope: "public",
        hidden: true,
        responses: { 200: { description: "an HTML page", contentType: "text/html" }, 400: { description: "a link that does not work" } },
      },
      landing(action),
    );
  }

  registerFeedRoute(router, d);
}

/** GET /status/subscribe: the form of one app's subscription, when subscriptions are offered. */
function registerFormRoute(router: Router, d: SubscriptionRouteDeps): void {
  const domains = d.domains;
  if (domains) {
    router.route(
      {
        method: "get",
        path: "/status/subscribe",
        summary: "The form to subscribe to an app: an e-mail when it will be late and when it is fresh again",
        tags: ["Status"],
        scope: "status",
        hidden: true,
        query: z.object({ appId: z.string().regex(GUID, { message: "an app id (GUID)" }) }).passthrough(),
        responses: { 200: { description: "an HTML page", contentType: "text/html" }, 404: { description: "no promise covers the app" } },
      },
      async (c, { query }) => {
        const offer = await d.appOffer(query.appId);
        if (!offer) throw new AppError("NOT_FOUND", `no freshness promise covers app ${query.appId}`);
        // The page's query without the app: a key allowed in the URL goes on with the form.
        const params = new URL(c.req.url).searchParams;
        params.delete("appId");
        const search = params.size > 0 ? `?${params}` : "";
        pageHeaders(c);
        return c.html(subscribeFormPage({ appId: query.appId.toLowerCase(), ...offer, search, domains }));
      },
    );
  }
}

/** GET /status/feed.atom: the notices as an Atom feed. */
function registerFeedRoute(router: Router, d: SubscriptionRouteDeps): void {
  router.route(
    {
      method: "get",
      path: "/status/feed.atom",
      summary: "An Atom feed of what the business was told: apps that will be late and that are fresh again (every app, one app or one promise)",
      tags: ["Status"],
      scope: "status",
      query: FeedQuery,
      responses: {
        200: { description: "an Atom feed", contentType: "application/atom+xml" },
        404: { description: "no app or promise of that name is on the status page (the same whether it does not exist or the reader may not see it)" },
      },
    },
    async (c, { query }) => {
      const appId = query.appId ?? "";
      const promise = query.promise ?? "";
      const about = appId || promise ? await d.labelOf(appId, promise) : undefined;
      // The answer names nothing asked for: a promise that does not exist and one the reader may not see read alike.
      if ((appId || promise) && !about) {
        const field = appId ? "query.appId" : "query.promise";
        const message = "no app or promise of that name is on the status page";
        throw new AppError("NOT_FOUND", `${field}: ${message}`, { details: [{ field, message }] });
      }
      const url = new URL(c.req.url);
      const base = d.baseUrl ?? url.origin;
      const notices = await d.store.notices({ ...(appId ? { appId } : {}), ...(promise ? { promise } : {}), limit: 50 });
      const body = atomFeed({
        // Without a key the URL may carry: the feed's text is read, forwarded and posted on.
        selfUrl: `${base}${url.pathname}${appId || promise ? `?${new URLSearchParams({ ...(appId ? { appId } : {}), ...(promise ? { promise } : {}) })}` : ""}`,
        statusUrl: `${base}/status`,
        ...(about ? { about } : {}),
        scope: `${appId.toLowerCase()}|${promise}`,
        notices,
        ...(d.lateDays ? { lateDays: await d.lateDays({ ...(appId ? { appId } : {}), ...(promise ? { promise } : {}) }) } : {}),
        nowMs: d.clock.now(),
      });
      return c.body(body, 200, { "Content-Type": "application/atom+xml; charset=utf-8", "Cache-Control": "no-cache" });
    },
  );
}
