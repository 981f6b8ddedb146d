/** @jsxImportSource hono/jsx */
// GET /ui/inbox and /ui/inbox/:id (demo only): what the capture inbox received — e-mails rendered in a sandboxed
// frame whose links open top-level (mail-frame.ts), webhook calls with their bodies.
import type { CapturedMail, CapturedWebhook } from "../../demo/capture-types";
import { Badge, Empty, Time } from "../components";
import { Layout } from "../layout";
import type { PageClock } from "../page-clock";
import { MAIL_FRAME_SANDBOX, mailHtmlForFrame } from "./mail-frame";
import type { PageHandler } from "../types";

const navAt = (clock: PageClock) => ({ active: "inbox", inbox: true, clock });

export const inboxPage: PageHandler = async (c, { inbox, siteClock }) => {
  const source = inbox();
  const clock = siteClock();
  const nav = navAt(clock);
  if (!source) return c.html(<NoInbox clock={clock} />, 404);
  const items = source.items();
  return c.html(
    <Layout title="Demo inbox" nav={nav}>
      <div class="toolbar">
        <span class="small muted">What Steward sent to the demo's SMTP server and webhook receiver, newest first.</span>
      </div>
      <section class="card tight">
        {items.length === 0 ? (
          <Empty>Nothing received yet.</Empty>
        ) : (
          <table id="inbox">
            <thead>
              <tr>
                <th>Received</th>
                <th>Kind</th>
                <th>Subject / request</th>
                <th>To</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr data-item={i.id} data-kind={i.kind} data-delivery={i.deliveryId}>
                  <td>
                    <Time iso={i.receivedAt} />
                  </td>
                  <td>{i.kind === "mail" ? <Badge tone="info">e-mail</Badge> : <Badge tone="idle">webhook</Badge>}</td>
                  <td>
                    <a href={`/ui/inbox/${i.id}`}>{i.kind === "mail" ? i.subject || "(no subject)" : `${i.method} ${i.path}`}</a>
                    {i.kind === "mail" && i.attachments.length ? <span class="small muted"> · {i.attachments.length} attachment(s)</span> : null}
                    {i.kind === "webhook" && i.summary ? <div class="small muted">{i.summary}</div> : null}
                    {i.repeatOf !== undefined ? (
                      <div class="small">
                        <Badge tone="fail">received before</Badge> same delivery as #{i.repeatOf}
                      </div>
                    ) : null}
                  </td>
                  <td class="small">{i.kind === "mail" ? i.envelopeTo.join(", ") : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>,
  );
};

export const inboxItemPage: PageHandler = async (c, { inbox, siteClock }) => {
  const source = inbox();
  const clock = siteClock();
  const nav = navAt(clock);
  if (!source) return c.html(<NoInbox clock={clock} />, 404);
  const item = source.get(Number(c.req.param("id")));
  if (!item) {
    return c.html(
      <Layout title="Not found" nav={nav}>
        <Empty>This message is no longer in the inbox.</Empty>
      </Layout>,
      404,
    );
  }
  return c.html(item.kind === "mail" ? <MailView m={item} clock={clock} /> : <WebhookView w={item} clock={clock} />);
};

function MailView(props: { m: CapturedMail; clock: PageClock }) {
  const m = props.m;
  return (
    <Layout title={m.subject || "(no subject)"} nav={navAt(props.clock)}>
      <section class="card">
        <dl class="props">
          <dt>From</dt>
          <dd>{m.from}</dd>
          <dt>To</dt>
          <dd>{m.to.join(", ")}</dd>
          <dt>SMTP envelope</dt>
          <dd class="small">
            {m.envelopeFrom} → {m.envelopeTo.join(", ")}
          </dd>
          <dt>Received</dt>
          <dd>
            <Time iso={m.receivedAt} /> <span class="small muted">({m.sizeBytes} bytes)</span>
          </dd>
          {m.attachments.length ? (
            <>
              <dt>Attachments</dt>
              <dd>{m.attachments.map((a) => `${a.filename} (${a.mimeType}, ${a.sizeBytes} bytes)`).join(", ")}</dd>
            </>
          ) : null}
        </dl>
      </section>
      {m.html ? (
        <section class="card">
          <h2>HTML</h2>
          {/* the mail's markup renders, its scripts and forms never run; its links open a new top-level tab */}
          <iframe class="mail-frame" sandbox={MAIL_FRAME_SANDBOX} srcdoc={mailHtmlForFrame(m.html)} title="rendered e-mail"></iframe>
        </section>
      ) : null}
      {m.text ? (
        <section class="card">
          <h2>Plain text</h2>
          <pre>{m.text}</pre>
        </section>
      ) : null}
    </Layout>
  );
}

function WebhookView(props: { w: CapturedWebhook; clock: PageClock }) {
  const w = props.w;
  return (
    <Layout title={`${w.method} ${w.path}`} nav={navAt(props.clock)}>
      <section class="card">
        <dl class="props">
          <dt>Received</dt>
          <dd>
            <Time iso={w.receivedAt} />
          </dd>
          <dt>Content type</dt>
          <dd>{w.contentType || "—"}</dd>
          {w.summary ? (
            <>
              <dt>About</dt>
              <dd>{w.summary}</dd>
            </>
          ) : null}
        </dl>
      </section>
      <section class="card">
        <h2>Body</h2>
        <pre>{w.body}</pre>
      </section>
    </Layout>
  );
}

function NoInbox(props: { clock: PageClock }) {
  return (
    <Layout title="Inbox" nav={{ active: "inbox", inbox: false, clock: props.clock }}>
      <Empty>The capture inbox exists only in demo mode (`steward demo`).</Empty>
    </Layout>
  );
}
