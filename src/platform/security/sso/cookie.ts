// The session cookie: an opaque random id (the store keeps its hash), HttpOnly, SameSite=Lax (sent when a person
// follows a link from a mail, never with another site's POST), Secure with the __Host- prefix when Steward is
// reached over HTTPS (http.publicUrl), Path=/ for the dashboard, /status and the alert links alike.
export const SESSION_COOKIE = "steward_session";
const HOST_COOKIE = `__Host-${SESSION_COOKIE}`;

export const cookieName = (https: boolean): string => (https ? HOST_COOKIE : SESSION_COOKIE);

/** The session id a request's Cookie header carries, if any. */
export function sessionIdFrom(cookieHeader: string | undefined | null, https: boolean): string | undefined {
  if (!cookieHeader) return undefined;
  const name = cookieName(https);
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const v = part.slice(eq + 1).trim();
    return /^[A-Za-z0-9_-]{20,100}$/.test(v) ? v : undefined;
  }
  return undefined;
}

export function sessionCookie(id: string, maxAgeSeconds: number, https: boolean): string {
  return `${cookieName(https)}=${id}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${https ? "; Secure" : ""}`;
}

export function clearedCookie(https: boolean): string {
  return `${cookieName(https)}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${https ? "; Secure" : ""}`;
}
