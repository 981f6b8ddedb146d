// The store of subscriptions from /status, written once for SQLite and PostgreSQL: one row per address and target
// (an app, a promise, or a promise's one app), the notices the business was given (one row per promise, app, episode and
// word: what the Atom feed lists, recorded once whichever Steward heard the event), the mails to send (one row per
// subscription and notice, claimed before it is sent, so several Stewards on one store send each mail once), the
// requests counted for the rate limit, and the key that signs the links (tables: migrations.ts).
import { randomBytes } from "node:crypto";
import type { SqlDb } from "../../../platform/store/sql";

import { createMailClaims } from "./mail-claims";
import type { NoticeWord } from "./words";

export { statusSubscriptionMigrations } from "./migrations";

export interface Subscription {
  id: number;
  address: string;
  /** "" for every app of the promise. */
  appId: string;
  /** "" for every promise of the app. */
  promise: string;
  /** What it is about, in the reader's words ("Sales dashboard"). */
  label: string;
  nonce: string;
  requestedAt: number;
  confirmedAt: number | null;
}

export interface Notice {
  id: number;
  key: string;
  word: NoticeWord;
  promise: string;
  appId: string;
  appName: string;
  title: string;
  text: string;
  at: number;
}

export interface OutgoingMail {
  id: number;
  subscriptionId: number;
  address: string;
  subject: string;
  text: string;
  html: string;
  unsubscribeUrl: string;
  attempts: number;
}

type Row = Record<string, unknown>;
const sub = (r: Row): Subscription => ({
  id: Number(r.id),
  address: String(r.address),
  appId: String(r.app_id),
  promise: String(r.promise),
  label: String(r.label),
  nonce: String(r.nonce),
  requestedAt: Number(r.requested_at),
  confirmedAt: r.confirmed_at === null || r.confirmed_at === undefined ? null : Number(r.confirmed_at),
});
const notice = (r: Row): Notice => ({
  id: Number(r.id),
  key: String(r.notice_key),
  word: r.word === "fresh" || r.word === "planned" ? r.word : "late",
  promise: String(r.promise),
  appId: String(r.app_id),
  appName: String(r.app_name),
  title: String(r.title),
  text: String(r.text),
  at: Number(r.at),
});

export type SubscriptionStore = ReturnType<typeof createSubscriptionStore>;

export function createSubscriptionStore(db: SqlDb) {
  const readKey = () => db.get<{ secret: string }>("SELECT secret FROM status_subscription_keys WHERE name = 'current'");
  return {
    /** The site's key for the links in these mails, made by whichever Steward needs it first. */
    async key(now: number): Promise<Buffer> {
      let r = await readKey();
      if (!r) {
        await db.run("INSERT INTO status_subscription_keys (name, secret, created_at) VALUES ('current', ?, ?) ON CONFLICT (name) DO NOTHING", [
          randomBytes(32).toString("base64"),
          now,
        ]);
        r = await readKey();
      }
      return Buffer.from(String(r!.secret), "base64");
    },
    /** Counts a request; answers how many the address and the client made within the window, this one included. */
    async countRequest(address: string, client: string, now: number, windowMs: number): Promise<{ address: number; client: number }> {
      await db.run("DELETE FROM status_subscription_requests WHERE at < ?", [now - windowMs]);
      await db.run("INSERT INTO status_subscription_requests (address, client, at) VALUES (?, ?, ?)", [address, client, now]);
      const a = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM status_subscription_requests WHERE address = ? AND at >= ?", [address, now - windowMs]);
      const c = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM status_subscription_requests WHERE client = ? AND at >= ?", [client, now - windowMs]);
      return { address: Number(a?.n ?? 0), client: Number(c?.n ?? 0) };
    },
    /** A new or repeated request: a fresh nonce (links of earlier confirmation mails stop working) unless confirmed already. */
    async request(s: { address: string; appId: string; promise: string; label: string; nonce: string; now: number }): Promise<Subscription> {
      await db.run(
        `INSERT INTO status_subscriptions (address, app_id, promise, label, nonce, requested_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (address, app_id, promise) DO UPDATE SET nonce = excluded.nonce, requested_at = excluded.requested_at, label = excluded.label
         WHERE status_subscriptions.confirmed_at IS NULL`,
        [s.address, s.appId, s.promise, s.label, s.nonce, s.now],
      );
      const r = await db.get<Row>("SELECT * FROM status_subscriptions WHERE address = ? AND app_id = ? AND promise = ?", [s.address, s.appId, s.promise]);
      return sub(r!);
    },
    async get(id: number): Promise<Subscription | undefined> {
      const r = await db.get<Row>("SELECT * FROM status_subscriptions WHERE id = ?", [id]);
      return r ? sub(r) : undefined;
    },
    /** Confirms once; false when it was confirmed already. */
    async confirm(id: number, now: number): Promise<boolean> {
      return (await db.run("UPDATE status_subscriptions SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL", [now, id])).changes === 1;
    },
    /** Ends a subscription and drops its unsent mails. */
    async remove(id: number): Promise<boolean> {
      await db.run("DELETE FROM status_mails WHERE subscription_id = ? AND state = 'pending'", [id]);
      return (await db.run("DELETE FROM status_subscriptions WHERE id = ?", [id])).changes === 1;
    },
    /** Confirmed subscriptions that cover this promise's app. */
    async confirmedFor(promise: string, appId: string): Promise<Subscription[]> {
      const rows = await db.all<Row>(
        "SELECT * FROM status_subscriptions WHERE confirmed_at IS NOT NULL AND (app_id = '' OR app_id = ?) AND (promise = '' OR promise = ?) ORDER BY id",
        [appId.toLowerCase(), promise],
      );
      return rows.map(sub);
    },
    /** Records a notice once; undefined when it was recorded already (here or by another Steward). */
    async addNotice(n: Omit<Notice, "id">): Promise<Notice | undefined> {
      const r = await db.get<Row>(
        `INSERT INTO status_notices (notice_key, word, promise, app_id, app_name, title, text, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (notice_key) DO NOTHING RETURNING *`,
        [n.key, n.word, n.promise, n.appId, n.appName, n.title, n.text, n.at],
      );
      return r ? notice(r) : undefined;
    },
    /** The planned-work notices told since `ms` (planned-work.ts), oldest first. */
    async plannedSince(ms: number): Promise<Notice[]> {
      return (await db.all<Row>("SELECT * FROM status_notices WHERE word = 'planned' AND at >= ? ORDER BY at, id", [ms])).map(notice);
    },
    async hasNotice(key: string): Promise<boolean> {
      return (await db.get("SELECT 1 AS one FROM status_notices WHERE notice_key = ?", [key])) !== undefined;
    },
    /** The latest notices, newest first; of one app or one promise when given. */
    async notices(o: { appId?: string; promise?: string; limit: number }): Promise<Notice[]> {
      const where: string[] = [];
      const args: string[] = [];
      if (o.appId) where.push("app_id = ?"), args.push(o.appId.toLowerCase());
      if (o.promise) where.push("promise = ?"), args.push(o.promise);
      const rows = await db.all<Row>(
        `SELECT * FROM status_notices ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY at DESC, id DESC LIMIT ${o.limit}`,
        args,
      );
      return rows.map(notice);
    },
    /** Queues a mail once per subscription and key; false when it was queued already. */
    async queueMail(m: {
      subscriptionId: number;
      key: string;
      address: string;
      subject: string;
      text: string;
      html: string;
      unsubscribeUrl: string;
      now: number;
    }): Promise<boolean> {
      const res = await db.run(
        `INSERT INTO status_mails (subscription_id, mail_key, address, subject, text, html, unsubscribe_url, state, attempts, due_at, claimed_until, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, 0, ?) ON CONFLICT (subscription_id, mail_key) DO NOTHING`,
        [m.subscriptionId, m.key, m.address, m.subject, m.text, m.html, m.unsubscribeUrl, m.now, m.now],
      );
      return res.changes === 1;
    },
    /** Was a mail with this key queued for the subscription (sent or not)? */
    async mailQueued(subscriptionId: number, key: string): Promise<boolean> {
      return (await db.get("SELECT 1 AS one FROM status_mails WHERE subscription_id = ? AND mail_key = ?", [subscriptionId, key])) !== undefined;
    },
    /**
     * Mails due now that no Steward holds, each only once the subscription's earlier mails are sent (or given up): two
     * Stewards sending at once would otherwise let "fresh again" reach the reader before the "late" it follows.
     */
    async dueMails(now: number, limit: number): Promise<OutgoingMail[]> {
      const rows = await db.all<Row>(
        `SELECT * FROM status_mails m WHERE m.state = 'pending' AND m.due_at <= ? AND m.claimed_until <= ?
           AND NOT EXISTS (SELECT 1 FROM status_mails p WHERE p.subscription_id = m.subscription_id AND p.id < m.id AND p.state = 'pending')
         ORDER BY m.id LIMIT ${limit}`,
        [now, now],
      );
      return rows.map((r) => ({
        id: Number(r.id),
        subscriptionId: Number(r.subscription_id),
        address: String(r.address),
        subject: String(r.subject),
        text: String(r.text),
        html: String(r.html),
        unsubscribeUrl: String(r.unsubscribe_url),
        attempts: Number(r.attempts),
      }));
    },
    ...createMailClaims(db),
    /**
     * Forgets mails sent or given up and requests never confirmed before `mailsBefore`, and notices older than
     * `noticesBefore` (the feed lists the latest).
     */
    async purge(mailsBefore: number, noticesBefore: number): Promise<void> {
      await db.run("DELETE FROM status_mails WHERE state <> 'pending' AND created_at < ?", [mailsBefore]);
      await db.run("DELETE FROM status_subscriptions WHERE confirmed_at IS NULL AND requested_at < ?", [mailsBefore]);
      await db.run("DELETE FROM status_notices WHERE at < ?", [noticesBefore]);
    },
    /** Counts by state (for the doctor and tests). */
    async mailStates(): Promise<Record<string, number>> {
      const rows = await db.all<{ state: string; n: number }>("SELECT state, COUNT(*) AS n FROM status_mails GROUP BY state");
      return Object.fromEntries(rows.map((r) => [String(r.state), Number(r.n)]));
    },
  };
}
