// The simulator's control API (plain HTTP on loopback), for tests that drive a simulated site from outside.
import type { Simulator } from "../../src/sim";

/** Calls the control API; a status of 300 or more throws with the answer's text. */
export async function simControl(sim: Simulator, method: string, path: string, body?: unknown): Promise<unknown> {
  // A new connection per call: a test that waits longer than the control server's idle timeout between calls could
  // otherwise reuse a kept-alive socket the server is closing just then (ECONNRESET on the rich-site scenario).
  const res = await fetch(`${sim.urls.control}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { "content-type": "application/json", connection: "close" },
  });
  if (res.status >= 300) throw new Error(`control API ${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}
