// The UDP socket for scheduler datagrams: IPv4, IPv6, or dual stack when bound to "::" (IPv4 senders then
// appear as ::ffff:a.b.c.d). It only receives; everything else happens in the intake.
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { isIP } from "node:net";
import type { Logger } from "pino";
import { AppError } from "../../platform/core/errors";

export interface UdpListener {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Bound address (after start), e.g. { address: "::", port: 9998, family: "IPv6" }. */
  address(): { address: string; port: number; family: string } | undefined;
  /** Calls `fn` when the socket reports an error after it started listening. */
  onError(fn: (err: Error) => void): void;
}

export function createUdpListener(
  cfg: { host: string; port: number },
  deps: { log: Logger; onDatagram: (msg: Buffer, from: RemoteInfo) => void; onError?: (err: Error) => void },
): UdpListener {
  let socket: Socket | undefined;
  const errorListeners: Array<(err: Error) => void> = [];
  const v6 = isIP(cfg.host) === 6;

  return {
    start() {
      return new Promise<void>((resolve, reject) => {
        const s = createSocket(v6 ? { type: "udp6", ipv6Only: false, reuseAddr: false } : { type: "udp4", reuseAddr: false });
        const onStartError = (err: Error) => {
          s.close();
          reject(
            new AppError(
              "CONFIG_INVALID",
              `cannot listen for Qlik Sense datagrams on ${cfg.host}:${cfg.port}: ${err.message}. Is another Steward or Butler using the port?`,
              {
                cause: err,
              },
            ),
          );
        };
        s.once("error", onStartError);
        s.on("message", (msg, rinfo) => deps.onDatagram(msg, rinfo));
        s.bind(cfg.port, cfg.host, () => {
          s.off("error", onStartError);
          s.on("error", (err) => {
            deps.log.error({ err: err.message }, "UDP socket error");
            deps.onError?.(err);
            for (const fn of errorListeners) fn(err);
          });
          try {
            // Bursts of task ends (a nightly batch) should queue in the kernel, not be dropped there.
            s.setRecvBufferSize(4 * 1024 * 1024);
          } catch {
            // Not permitted or not supported: the OS default stays.
          }
          socket = s;
          const a = s.address();
          deps.log.info({ address: a.address, port: a.port }, "listening for Qlik Sense scheduler datagrams");
          resolve();
        });
      });
    },
    stop() {
      const s = socket;
      socket = undefined;
      if (!s) return Promise.resolve();
      return new Promise<void>((resolve) => s.close(() => resolve()));
    },
    onError(fn) {
      errorListeners.push(fn);
    },
    address() {
      if (!socket) return undefined;
      const a = socket.address();
      return { address: a.address, port: a.port, family: a.family };
    },
  };
}
