// The Qlik services a simulated node runs, by QRS serviceType; the control API takes one down to show it unreachable.
export const SIM_SERVICES = { repository: 0, proxy: 1, scheduler: 2, engine: 3, printing: 5 } as const;
export type SimService = keyof typeof SIM_SERVICES;

/** Services on a node: the central node also runs the Proxy and Printing (as the simulated nodes declare). */
export const servicesOf = (central: boolean): SimService[] =>
  central ? ["repository", "proxy", "scheduler", "engine", "printing"] : ["repository", "scheduler", "engine"];
