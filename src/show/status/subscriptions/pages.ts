// The small pages of subscriptions, for the business: "check your mail", the confirmation and unsubscribe landing
// pages (a button, so a mail scanner that opens every link confirms and unsubscribes nothing), and their results.
// No script; every text escaped.
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function subscriptionPage(title: string, paragraphs: string[], form?: { action: string; button: string }): string {
  const body = paragraphs.map((p) => `<p>${esc(p)}</p>`).join("");
  const button = form ? `<form method="post" action="${esc(form.action)}"><button type="submit" id="confirm">${esc(form.button)}</button></form>` : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.4rem 1.2rem}</style></head><body><h1>${esc(title)}</h1>${body}${button}<p><a href="/status">Back to the status page</a></p></body></html>`;
}

/** The form of one app's subscription: the address, and which of its promises when it has several. */
export function subscribeFormPage(o: {
  appId: string;
  appName: string;
  promises: Array<{ name: string; text: string }>;
  /** The status page's query (a key allowed in the URL), kept on the form's action. */
  search: string;
  domains: readonly string[];
}): string {
  const choice =
    o.promises.length > 1
      ? `<p><label>About <select name="promise" id="promise"><option value="">every promise of ${esc(o.appName)}</option>${o.promises.map((p) => `<option value="${esc(p.name)}">${esc(`${o.appName}, promised ${p.text}`)}</option>`).join("")}</select></label></p>`
      : o.promises.length === 1
        ? `<input type="hidden" name="promise" value="${esc(o.promises[0]!.name)}">`
        : "";
  const domains = o.domains.map((d) => `@${d}`).join(", ");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Mail me about ${esc(o.appName)}</title><style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}input,select,button{font-size:1rem}</style></head><body><h1>Mail me about ${esc(o.appName)}</h1><p>Get a mail when ${esc(o.appName)} will be late, and another when it is fresh again.</p><form method="post" action="/status/subscriptions${esc(o.search)}"><input type="hidden" name="appId" value="${esc(o.appId)}"><p><label>Your e-mail address <input type="email" name="email" id="email" required size="32" autocomplete="email"></label></p><p><small>Addresses at ${esc(domains)}.</small></p>${choice}<p><button type="submit" id="subscribe">Subscribe</button></p></form><p><small>You get a mail with a link to confirm first. Every mail has a link to unsubscribe.</small></p><p><a href="/status${esc(o.search)}">Back to the status page</a></p></body></html>`;
}
