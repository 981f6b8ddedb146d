// IPv4/IPv6 addresses and CIDR ranges for the datagram source allowlist and the REST IP allowlist, on the
// platform's own parser (isIP, the URL host serializer) and matcher (net.BlockList, on Bun, Deno and Node).
// IPv4-mapped IPv6 addresses (::ffff:10.0.0.5, what a dual-stack socket reports for IPv4 senders) count as IPv4;
// each IPv4 range also holds its mapped IPv6 form, so either spelling of an address matches it.
import { BlockList, isIP } from "node:net";

export interface IpAddress {
  family: 4 | 6;
  /** The canonical text: dotted IPv4, or compressed lower-case IPv6. */
  address: string;
}

export interface IpRange extends IpAddress {
  prefix: number;
  /** The range as the platform's matcher holds it. */
  list: BlockList;
}

const MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/** Parses an IP literal (zone ids and brackets allowed); undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const s = text
    .trim()
    .replace(/^\[|\]$/g, "")
    .replace(/%.*$/, "");
  const kind = isIP(s);
  if (kind === 4) return { family: 4, address: s };
  if (kind !== 6) return undefined;
  // The URL serializer writes the canonical form (compressed, lower case, mapped IPv4 as two hex groups).
  const canonical = new URL(`http://[${s}]/`).hostname.slice(1, -1);
  const mapped = MAPPED.exec(canonical);
  if (mapped) {
    const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
    return { family: 4, address: `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}` };
  }
  return { family: 6, address: canonical };
}

/** Parses `10.0.0.0/8`, `fd00::/8`, `::ffff:10.0.0.0/104`, or a bare IP (a /32 or /128). */
export function parseRange(text: string): IpRange | undefined {
  const [addr, bits, extra] = text.trim().split("/");
  if (extra !== undefined || addr === undefined) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return undefined;
  // A mapped-IPv4 CIDR is written in IPv6 bits; its IPv4 prefix is 96 fewer.
  const prefix = bits === undefined ? max : ip.family === 4 && addr.includes(":") ? Number(bits) - 96 : Number(bits);
  if (prefix < 0 || prefix > max) return undefined;
  const list = new BlockList();
  if (ip.family === 4) {
    list.addSubnet(ip.address, prefix, "ipv4");
    list.addSubnet(`::ffff:${ip.address}`, prefix + 96, "ipv6");
  } else list.addSubnet(ip.address, prefix, "ipv6");
  return { ...ip, prefix, list };
}

export function inRange(ip: IpAddress, range: IpRange): boolean {
  return range.list.check(ip.address, ip.family === 4 ? "ipv4" : "ipv6");
}

export function formatIp(ip: IpAddress): string {
  return ip.address;
}

/** 127.0.0.0/8 or ::1: a process on this server. */
export function isLoopback(ip: IpAddress): boolean {
  return ip.family === 4 ? ip.address.startsWith("127.") : ip.address === "::1";
}
