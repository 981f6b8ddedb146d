// Help text of `steward apikey` (its own file so usage.ts can show it without importing the command).
import { GRANTABLE_SCOPES } from "../../platform/security/config";

export const APIKEY_HELP = `Usage: steward apikey create --name NAME --scopes SCOPE[,SCOPE…] [--person MAIL|SUBJECT] [--hash sha256|scrypt]
       steward apikey hash [--hash sha256|scrypt]   (reads the key from stdin)

create  Prints a new random key (shown only this once) and the entry for security.apiKeys in the config file.
        Scopes: ${GRANTABLE_SCOPES.join(", ")} (admin implies all).
        --person: the mail address or directory subject of the key's holder (security.apiKeys[].person): the
        two-person rule counts the key, their other keys and their sign-in as one person.
hash    Prints the hash line for an existing key.

Run-time keys can also be created with POST /v4/admin/apikeys (admin scope); those live in the store.`;
