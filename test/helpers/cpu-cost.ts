// The CPU time this process spends on `fn`, in milliseconds: a guard against pathological cost (a backtracking
// pattern, a quadratic scan) that other jobs on the machine do not inflate, as they do wall-clock time.
export function cpuMsOf<T>(fn: () => T): { value: T; cpuMs: number } {
  const before = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(before);
  return { value, cpuMs: (used.user + used.system) / 1000 };
}
