// The mails of subscriptions, composed when queued (the store keeps subject, text and HTML, so a retry sends the same
// mail): the confirmation asked for by the double opt-in, and a notice ("will be late", "fresh again"). Every mail
// names what it is about in the reader's words and carries the one-click unsubscribe of RFC 8058 (sent with it).
import type { Notice, Subscription } from "./store";

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(paragraphs: string[], links: Array<{ text: string; url: string }>): string {
  const ps = paragraphs.map((p) => `<p>${esc(p)}</p>`).join("");
  const ls = links.map((l) => `<p><a href="${esc(l.url)}">${esc(l.text)}</a></p>`).join("");
  return `<!DOCTYPE html><html><body style="font-family:sans-serif">${ps}${ls}</body></html>`;
}

export function confirmationMail(s: Subscription, confirm: string, unsubscribe: string, validUntil: string): ComposedMail {
  const what = s.label;
  const intro = `Someone, probably you, asked the Qlik status page to tell ${s.address} when ${what} will be late and when it is fresh again.`;
  const act = `To start getting these mails, confirm by ${validUntil}: ${confirm}`;
  const not = "If you did not ask for this, ignore this mail: nothing will be sent to you.";
  return {
    subject: `Confirm: mail me when ${what} is late`,
    text: `${intro}\n\n${act}\n\n${not}\n`,
    html: page(
      [intro, `To start getting these mails, confirm by ${validUntil}.`, not],
      [
        { text: "Confirm", url: confirm },
        { text: "I did not ask for this", url: unsubscribe },
      ],
    ),
  };
}

export function noticeMail(n: Notice, s: Subscription, statusUrl: string, unsubscribe: string): ComposedMail {
  const why = `You get this mail because ${s.address} subscribed to ${s.label} on the Qlik status page.`;
  return {
    subject: n.title,
    text: `${n.text}\n\nThe status of every app: ${statusUrl}\n\n${why}\nUnsubscribe: ${unsubscribe}\n`,
    html: page(
      [n.text, why],
      [
        { text: "The status of every app", url: statusUrl },
        { text: "Unsubscribe", url: unsubscribe },
      ],
    ),
  };
}

/** To a request for what the address has already: nothing changes, and the way out is at hand. */
export function alreadyMail(s: Subscription, statusUrl: string, unsubscribe: string): ComposedMail {
  const text = `Someone, probably you, asked the Qlik status page again to tell ${s.address} when ${s.label} will be late and when it is fresh again. You are subscribed already: nothing changes.`;
  return {
    subject: `You already get mail when ${s.label} is late`,
    text: `${text}\n\nThe status of every app: ${statusUrl}\nUnsubscribe: ${unsubscribe}\n`,
    html: page(
      [text],
      [
        { text: "The status of every app", url: statusUrl },
        { text: "Unsubscribe", url: unsubscribe },
      ],
    ),
  };
}
