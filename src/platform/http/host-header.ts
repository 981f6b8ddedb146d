// The Host header as the listeners accept it: a DNS name, an IPv4 address or a bracketed IPv6 address, with an
// optional port. Anything else (missing, empty, spaces, '/', '@', '%', non-ASCII, a port above 65535) is a 400,
// never an exception further in: the request URL is built from this header.

const NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,252})$/;
const IPV6 = /^\[[0-9A-Fa-f:.]{2,45}\]$/;

/** Why `host` cannot be used as a request's authority, or undefined when it can. */
export function hostHeaderProblem(host: string | null | undefined): string | undefined {
  if (host === null || host === undefined) return "the Host header is missing";
  if (host.length === 0) return "the Host header is empty";
  if (host.length > 300) return "the Host header is longer than 300 characters";
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{0,5}))?$/.exec(host);
  if (!m) return "the Host header must be name[:port], IPv4[:port] or [IPv6][:port]";
  const [, name, port] = m;
  if (!(IPV6.test(name!) || NAME.test(name!))) return "the Host header must be name[:port], IPv4[:port] or [IPv6][:port]";
  if (port !== undefined && port !== "" && Number(port) > 65_535) return "the Host header's port is above 65535";
  try {
    new URL(`http://${host}/`);
  } catch {
    return "the Host header is not a valid host name";
  }
  return undefined;
}

/** The URL a listener hands to the app instead, when the Host header is unusable (the pre-handler answers it 400, naming the header). */
export const UNUSABLE_HOST_URL = "http://host.invalid/";

/**
 * hostHeaderProblem remembered per Host value (a listener sees few distinct ones; the check parses a URL).
 * Bounded: emptied when it holds too many values, so a flood of invented names costs only the check itself.
 */
export function createHostHeaderCheck(): (host: string | null | undefined) => string | undefined {
  const seen = new Map<string, string | undefined>();
  return (host) => {
    if (host === null || host === undefined) return hostHeaderProblem(host);
    const known = seen.get(host);
    if (known !== undefined || seen.has(host)) return known;
    const problem = hostHeaderProblem(host);
    if (seen.size >= 1024) seen.clear();
    seen.set(host, problem);
    return problem;
  };
}
