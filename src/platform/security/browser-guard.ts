// Stops a web browser from being used against Steward by a page it does not trust. Browsers attach some
// credentials by themselves: a client certificate, and (when no key is configured) simply being on the
// loopback address. So (1) a state-changing request sent by a page of another origin is refused unless that
// origin is listed in control.cors.allowOrigins (CSRF), and (2) while the API is open (no keys or certificates),
// requests must name the server by a name it is known by (a DNS-rebinding page names its own host): on a loopback
// listener a loopback name; on any other listener also an IP address, this computer's name or a name in
// security.allowedHosts. Non-browser clients send no foreign Host, so load scripts and curl are unaffected.
// Signed links (an alert's Acknowledge and Snooze) are exempt from both: the link itself is the credential, and a
// browser confirming one may send `Origin: null` (a mail client's or the landing page's referrer policy).
import { hostname as osHostname } from "node:os";
import type { Context } from "hono";
import type { CorsConfig } from "../http/config";
import type { HttpEnv } from "../http/types";
import { headersOf, methodOf, urlOf } from "../http/request-state";
import { parseIp } from "./ip-match";
import { isLoopbackHost, isLoopbackIp, type SecurityPolicy } from "./policy";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface BrowserGuardDeps {
  policy: () => SecurityPolicy;
  cors: CorsConfig;
  /** http.host: a loopback listener answers loopback names only while the API is open. */
  listenHost: string;
  /** This computer's name (os.hostname()); a parameter for tests. */
  machineName?: string;
  deny: (c: Context<HttpEnv>, reason: string, check: string) => Response;
  /**
   * Paths (the whole path, query apart) whose requests carry their own signed credential in the URL (the alert links'
   * landing pages): a page of another site cannot make one, so neither its Origin nor the Host it names is judged.
   * Whole-path patterns, not prefixes: `/act/../v4/…` must not pass as a link.
   */
  signedLinkPaths?: readonly RegExp[];
  /**
   * http.publicUrl: the address people reach Steward at (a load balancer in front of a cluster). Its origin is
   * Steward's own: a balancer may forward to a member under the member's own Host and add no X-Forwarded-Host.
   */
  publicUrl?: string;
}

/** Where the path of a request URL starts ("http://host:port/path" → the index of "/path"), -1 when it has none. */
const pathStart = (href: string): number => href.indexOf("/", href.indexOf("//") + 2);

/** The path of a request URL ("http://host:port/path?query" → "/path"), without parsing it again. */
function pathOf(href: string): string {
  const slash = pathStart(href);
  if (slash < 0) return "/";
  // The first "?" or "#" after the authority ends it (no regular expression per request: a ping's path is read here).
  let end = href.length;
  for (let i = slash; i < end; i++) {
    const ch = href.charCodeAt(i);
    if (ch === 63 /* ? */ || ch === 35 /* # */) end = i;
  }
  return href.slice(slash, end);
}

/** "host:port" of an origin or Host value, lower-case, default ports dropped (as the URL parser does). */
function hostOf(value: string, scheme = "http"): string | undefined {
  try {
    return new URL(value.includes("://") ? value : `${scheme}://${value}`).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function isIpLiteral(hostname: string): boolean {
  return parseIp(hostname.replace(/^\[|\]$/g, "")) !== undefined;
}

function isLoopbackName(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  const ip = parseIp(h);
  return ip !== undefined && isLoopbackIp(ip);
}

/** The parts of a request URL the guard reads, parsed once per scheme and authority ("http://name:port"). */
interface Authority {
  hostname: string;
  host: string;
  loopbackName: boolean;
  /** The verdict when it does not depend on the policy (a loopback name; any name on a loopback listener): made once. */
  fixed?: HostVerdict;
}

/**
 * Does a request name this server by a name it is known by? On a loopback listener a loopback name; on any other
 * also an IP address, this computer's name, the listen address or a name in security.allowedHosts. A DNS-rebinding
 * page names its own host. Used while the API is open, and for the grant to callers without a key (anonymous.ts).
 */
export function createHostJudge(listenHost: string, machineName = osHostname()): (href: string, policy: SecurityPolicy) => HostVerdict {
  const loopbackListener = isLoopbackHost(listenHost);
  const machine = machineName.toLowerCase();
  const listenName = listenHost.toLowerCase();
  // Requests name few distinct hosts; the WHATWG parse (which normalises 127.1, case, IDNA) is done once for
  // each. Bounded: emptied when it holds too many.
  const authorities = new Map<string, Authority>();
  // The last one asked for, compared in place: a client sends the same authority request after request, and the
  // slice and map lookup of the key were a twentieth of a ping's JavaScript.
  let lastKey = "";
  let last: Authority | undefined;
  const authorityOf = (href: string): Authority => {
    const slash = pathStart(href);
    const keyLength = slash < 0 ? href.length : slash;
    if (last !== undefined && keyLength === lastKey.length && href.startsWith(lastKey)) return last;
    const key = slash < 0 ? href : href.slice(0, slash);
    let a = authorities.get(key);
    if (!a) {
      const url = new URL(href);
      a = { hostname: url.hostname, host: url.host, loopbackName: isLoopbackName(url.hostname) };
      if (authorities.size >= 1024) authorities.clear();
      authorities.set(key, a);
    }
    lastKey = key;
    last = a;
    return a;
  };
  return (href, policy) => {
    const url = authorityOf(href);
    if (url.fixed !== undefined) return url.fixed;
    if (url.loopbackName) return (url.fixed = { url, known: true });
    if (loopbackListener) return (url.fixed = { url, known: false, expected: "localhost or 127.0.0.1" });
    const name = url.hostname.toLowerCase();
    const known = isIpLiteral(name) || name === machine || name === listenName || policy.config.allowedHosts.some((h) => h.toLowerCase() === name);
    return known ? { url, known } : { url, known, expected: `its IP address or ${machine}; add other DNS names to security.allowedHosts` };
  };
}

export interface HostVerdict {
  url: Authority;
  known: boolean;
  /** When not known: the names that would be. */
  expected?: string;
}

/** Refuses (returns the 403) or lets the request on (undefined). */
export function createBrowserGuard(deps: BrowserGuardDeps): (c: Context<HttpEnv>) => Response | undefined {
  const norm = (o: string) => o.replace(/\/+$/, "").toLowerCase();
  const listed = new Set(deps.cors.enabled ? deps.cors.allowOrigins.map(norm) : []);
  const publicOrigin = deps.publicUrl ? parseUrl(deps.publicUrl)?.origin : undefined;
  if (publicOrigin) listed.add(norm(publicOrigin));
  const loopbackListener = isLoopbackHost(deps.listenHost);
  const judge = createHostJudge(deps.listenHost, deps.machineName);
  const signed = deps.signedLinkPaths ?? [];
  // A signed link's own credential stands in for both checks; asked only before a refusal (a regular expression
  // per pattern, which a ping need not pay).
  const isSignedLink = (href: string) => {
    if (signed.length === 0) return false;
    const path = pathOf(href);
    return signed.some((pattern) => pattern.test(path));
  };
  return (c) => {
    const policy = deps.policy();
    const safe = SAFE_METHODS.has(methodOf(c));
    // With keys configured the Host is not judged, and a read's Origin never is: such a GET passes at once.
    if (safe && policy.authConfigured) return undefined;
    const href = urlOf(c);
    const { url, known, expected } = judge(href, policy);
    if (!policy.authConfigured && !known) {
      if (isSignedLink(href)) return undefined;
      if (loopbackListener) {
        return deps.deny(
          c,
          `host ${url.hostname} is not a loopback name; without API keys this Steward answers only requests addressed to localhost or 127.0.0.1`,
          "host",
        );
      }
      return deps.deny(c, `host ${url.hostname} is not a name of this server; without API keys Steward answers requests addressed to ${expected}`, "host");
    }
    // Only a write's Origin is judged: a GET or HEAD reads no header here.
    const origin = safe ? undefined : (headersOf(c).get("origin") ?? undefined);
    if (origin !== undefined && !listed.has("*") && !listed.has(norm(origin)) && !isSignedLink(href)) {
      // Same origin: the page was served by Steward itself (the dashboard). A proxy may rewrite Host, so its
      // X-Forwarded-Host counts too; a cross-site page cannot add that header without a preflight.
      // An Origin is an absolute scheme://host[:port]; anything else (a bare word, garbage) is no origin of ours.
      const parsed = origin === "null" || !origin.includes("://") ? undefined : parseUrl(origin);
      const from = parsed?.host.toLowerCase() || undefined;
      const scheme = parsed ? parsed.protocol.slice(0, -1) : "http";
      const own = [c.req.header("host"), c.req.header("x-forwarded-host"), url.host]
        .filter((h): h is string => Boolean(h))
        .map((h) => hostOf(h.split(",")[0]!.trim(), scheme));
      if (from === undefined || !own.includes(from)) {
        return deps.deny(
          c,
          `cross-origin ${c.req.method} from ${origin} refused: list the origin in control.cors.allowOrigins if it should call Steward`,
          "origin",
        );
      }
    }
    return undefined;
  };
}
