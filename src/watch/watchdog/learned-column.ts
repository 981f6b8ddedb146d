// A growable column of whole milliseconds in four bytes each, for what a task's runs teach (run-learner.ts): times
// as an offset from a base that moves when they outgrow it (a 35-day span fits: four bytes hold 49 days), or
// durations as they are. A value four bytes cannot hold (a fraction, a span past 49 days) widens the column to eight.
const MIN_CAPACITY = 4;
const NARROW = 0x7fffffff;

/**
 * Room for a quarter more: a learner holds at most a few hundred values, so growing by less costs little copying, and
 * at 5,800 tasks the spare room of growing by half was a quarter of what they hold.
 */
export const grownCapacity = (n: number) => Math.max(MIN_CAPACITY, n + Math.max(4, Math.ceil(n / 4)));

export class MsColumn {
  private n = 0;
  private base = 0;
  private data: Int32Array | Float64Array = new Int32Array(MIN_CAPACITY);

  /** `rebased`: times (the base follows them); else durations, held as they are. */
  constructor(private readonly rebased: boolean) {}

  get length(): number {
    return this.n;
  }
  get bytes(): number {
    return this.data.byteLength;
  }
  at(k: number): number {
    const d = this.data;
    return d instanceof Int32Array ? this.base + d[k]! : d[k]!;
  }

  /** Puts `v` at index `k`, moving what follows one on. */
  insert(k: number, v: number): void {
    if (this.n === this.data.length) this.resize(grownCapacity(this.n));
    if (this.data instanceof Int32Array && !this.fits(v)) this.refit(v);
    const d = this.data;
    d.copyWithin(k + 1, k, this.n);
    d[k] = d instanceof Int32Array ? v - this.base : v;
    this.n++;
  }

  /** Removes the value at index `k`. */
  remove(k: number): void {
    this.data.copyWithin(k, k + 1, this.n);
    this.n--;
  }

  /** Removes the first `count` values; the column shrinks once it is less than half used. */
  dropFirst(count: number): void {
    if (count <= 0) return;
    this.data.copyWithin(0, count, this.n);
    this.n -= count;
    if (this.n < this.data.length / 2 && this.data.length > MIN_CAPACITY) this.resize(Math.max(MIN_CAPACITY, Math.ceil(this.n * 1.25)));
  }

  private fits(v: number): boolean {
    return Number.isInteger(v) && Math.abs(v - this.base) <= NARROW;
  }

  /** A base midway between the values (with `v`) when they then all fit; else the column widened to the values themselves. */
  private refit(v: number): void {
    if (this.rebased && Number.isInteger(v)) {
      let lo = v;
      let hi = v;
      for (let k = 0; k < this.n; k++) {
        const x = this.at(k);
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      if (hi - lo <= 2 * NARROW) {
        const base = Math.floor(lo + (hi - lo) / 2);
        const d = this.data as Int32Array;
        for (let k = 0; k < this.n; k++) d[k] = d[k]! + this.base - base;
        this.base = base;
        return;
      }
    }
    const wide = new Float64Array(this.data.length);
    for (let k = 0; k < this.n; k++) wide[k] = this.at(k);
    this.data = wide;
  }

  private resize(capacity: number): void {
    const next = new (this.data.constructor as new (length: number) => Int32Array | Float64Array)(capacity);
    next.set(this.data.subarray(0, this.n) as never);
    this.data = next;
  }
}
