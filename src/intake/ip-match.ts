// IPv4/IPv6 addresses and CIDR ranges as bytes, for the datagram source allowlist. IPv4-mapped IPv6
// addresses (::ffff:10.0.0.5, what a dual-stack socket reports for IPv4 senders) count as IPv4.
import { isIP } from "node:net";

export interface IpAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

export interface IpRange extends IpAddress {
  prefix: number;
}

function v4Bytes(s: string): Uint8Array | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function v6Bytes(s: string): Uint8Array | undefined {
  let text = s;
  // An embedded dotted IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const lastColon = text.lastIndexOf(":");
  const last = text.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = v4Bytes(last);
    if (!v4) return undefined;
    const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
    text = `${text.slice(0, lastColon + 1)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  if (halves.length === 1 && head.length !== 8) return undefined;
  if (halves.length === 2 && head.length + tail.length > 7) return undefined;
  const groups = [...head, ...Array<string>(8 - head.length - tail.length).fill("0"), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  }
  return out;
}

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Parses an IP literal (zone ids and brackets allowed); undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const s = text.trim().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const kind = isIP(s);
  if (kind === 4) {
    const b = v4Bytes(s);
    return b && { family: 4, bytes: b };
  }
  if (kind !== 6) return undefined;
  const b = v6Bytes(s);
  if (!b) return undefined;
  if (MAPPED_PREFIX.every((v, i) => b[i] === v)) return { family: 4, bytes: b.slice(12) };
  return { family: 6, bytes: b };
}

/** Parses `10.0.0.0/8`, `fd00::/8`, or a bare IP (a /32 or /128). */
export function parseRange(text: string): IpRange | undefined {
  const [addr, bits, extra] = text.trim().split("/");
  if (extra !== undefined || addr === undefined) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  if (bits === undefined) return { ...ip, prefix: max };
  if (!/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  // A mapped-IPv4 CIDR (::ffff:10.0.0.0/104) is expressed in IPv6 bits; convert to IPv4 bits.
  const adjusted = ip.family === 4 && addr.includes(":") ? prefix - 96 : prefix;
  if (adjusted < 0 || adjusted > max) return undefined;
  return { ...ip, prefix: adjusted };
}

export function inRange(ip: IpAddress, range: IpRange): boolean {
  if (ip.family !== range.family) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip.bytes[i]! & mask) !== (range.bytes[i]! & mask)) return false;
  }
  return true;
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return [...ip.bytes].join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip.bytes[i]! << 8) | ip.bytes[i + 1]!).toString(16));
  return groups.join(":");
}
