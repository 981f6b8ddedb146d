// QRS request checks: the XSRF key (header equals query, 16 alphanumerics) and a parseable X-Qlik-User.

export const XSRF_FAILED = "XSRF prevention check failed. Possible XSRF discovered.";
const XRFKEY_RE = /^[0-9A-Za-z]{16}$/;

/** True when `X-Qlik-Xrfkey` and the `xrfkey` query parameter (any case) are both there, equal and well-formed. */
export function xrfkeyOk(header: string | null, query: Map<string, string>): boolean {
  const q = query.get("xrfkey");
  return header !== null && q !== undefined && header === q && XRFKEY_RE.test(header);
}

export interface QlikUser {
  userDirectory: string;
  userId: string;
}

/** Parses `UserDirectory=<dir>; UserId=<id>` tolerantly: any order, any case, spaces around `=` and `;`. */
export function parseQlikUser(header: string | null): QlikUser | undefined {
  if (header === null) return undefined;
  let dir: string | undefined;
  let id: string | undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) {
      if (part.trim() !== "") return undefined;
      continue;
    }
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (key === "userdirectory") dir = value;
    else if (key === "userid") id = value;
  }
  if (!dir || !id) return undefined;
  return { userDirectory: dir, userId: id };
}

export const formatUser = (u: QlikUser) => `${u.userDirectory}\\${u.userId}`;
