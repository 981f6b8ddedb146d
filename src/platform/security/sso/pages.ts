// The pages of signing in with the company directory: why a sign-in could not start or was refused (no mapped
// group, a check of the directory's answer failed, the directory unreachable), and that the person signed out. Each
// says what the person can do next; API keys stay the way in when the directory is away.
const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function frame(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)} · Steward</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}</style></head>
<body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

const KEY_WAY = '<p><small>Administrators with an API key can still <a href="/ui/login">sign in with the key</a>.</small></p>';
const again = (next: string, label: string) => `<p><a href="/auth/login?next=${encodeURIComponent(next)}">Sign in with ${esc(label)}</a></p>`;

/** The directory could not be reached to start (or finish) a sign-in. */
export function unreachablePage(why: string, next: string, label: string): string {
  return frame(
    "Sign-in is not available right now",
    `<p>Steward could not reach the company directory to sign you in: ${esc(why)}.</p><p>Try again in a few minutes; if it lasts, tell your Qlik team.</p>${again(next, label)}${KEY_WAY}`,
  );
}

/** The directory said who the person is, but none of their groups is mapped to a Steward scope. */
export function noRolePage(who: string, groups: readonly string[], groupClaim: string): string {
  const shown = groups.length === 0 ? `the directory sent no "${esc(groupClaim)}" claim` : `your groups: ${groups.map(esc).join(", ")}`;
  return frame(
    "No access to Steward",
    `<p>You signed in as ${esc(who)}, but none of your directory groups gives access to Steward (${shown}).</p>` +
      "<p>Ask your Qlik team to add one of your groups to <code>security.sso.roles</code>, or to add you to a group it lists.</p>",
  );
}

/** The sign-in was refused: the directory's error, or a check of its answer that failed. */
export function refusedPage(why: string, next: string, label: string): string {
  return frame("Sign-in failed", `<p>The sign-in could not be completed: ${esc(why)}.</p>${again(next, label)}${KEY_WAY}`);
}

export function signedOutPage(label: string): string {
  return frame("Signed out", `<p>You are signed out of Steward on every Steward of this site.</p>${again("/ui", label)}`);
}

/** A page that needs a signed-in person (an alert link's action when the site asks for it). */
export function signInFirstPage(what: string, next: string, label: string): string {
  return frame("Sign in first", `<p>${esc(what)}</p>${again(next, label)}`);
}
