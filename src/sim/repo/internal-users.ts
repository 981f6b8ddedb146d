// The accounts of Qlik's own INTERNAL directory that a Qlik Sense site's QRS lists among its users (QMC, Users): the
// services run as these. Steward checks a user an Engine line or a datagram names against QRS, these included.
import type { UserModel } from "../site/model";
import { stableGuid } from "../util/ids";

const ACCOUNTS = ["sa_repository", "sa_scheduler", "sa_proxy", "sa_engine", "sa_api", "sa_hub", "sa_printing"];
const INSTALLED = "2025-01-01T00:00:00.000Z";

/** The INTERNAL service accounts, but those the site's fixture lists itself. */
export function internalUsers(siteUsers: readonly UserModel[]): UserModel[] {
  const own = new Set(siteUsers.map((u) => `${u.userDirectory}\\${u.userId}`.toLowerCase()));
  return ACCOUNTS.filter((a) => !own.has(`internal\\${a}`)).map((userId) => ({
    id: stableGuid("user", `internal\\${userId}`),
    userDirectory: "INTERNAL",
    userId,
    name: userId,
    emails: [],
    roles: [],
    tagIds: [],
    cps: [],
    inactive: false,
    blacklisted: false,
    removedExternally: false,
    access: "none",
    lastUsed: undefined,
    createdDate: INSTALLED,
  }));
}
