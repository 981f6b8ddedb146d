// Durations as administrators write them in QMC custom properties and the config file: 30s, 45m, 26h, 2d.

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export type DurationResult = { ok: true; ms: number } | { ok: false; error: string };

export function parseDuration(text: string): DurationResult {
  const m = /^\s*(\d{1,6})\s*([smhd])\s*$/i.exec(text);
  if (!m) return { ok: false, error: `'${text}' is not a duration: write a whole number and s, m, h or d (30s, 45m, 26h, 2d)` };
  const ms = Number(m[1]) * UNIT_MS[m[2]!.toLowerCase() as keyof typeof UNIT_MS];
  if (ms <= 0) return { ok: false, error: `'${text}' is zero: give a duration longer than 0` };
  return { ok: true, ms };
}
