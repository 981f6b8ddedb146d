// The stepped clock's timers in due order (earliest due first, the earliest armed on a tie): a binary heap, so a
// simulation with thousands of timers armed finds the next one without looking at all of them at every step.
// Cleared timers stay in the heap until they reach its top (or a rebuild drops them).

export interface HeapTimer {
  id: number;
  due: number;
}

const before = (a: HeapTimer, b: HeapTimer) => a.due < b.due || (a.due === b.due && a.id < b.id);

export interface TimerHeap<T extends HeapTimer> {
  push(t: T): void;
  /** The first timer for which `live` holds; the ones before it that no longer do are dropped. */
  first(live: (t: T) => boolean): T | undefined;
  /** Drops everything and keeps `ts` (after many clears, so the heap stays the size of what is armed). */
  rebuild(ts: Iterable<T>): void;
  size(): number;
}

export function createTimerHeap<T extends HeapTimer>(): TimerHeap<T> {
  let heap: T[] = [];
  const up = (i: number) => {
    const t = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(t, heap[p]!)) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = t;
  };
  const down = (i: number) => {
    const n = heap.length;
    const t = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(heap[r]!, heap[l]!) ? r : l;
      if (!before(heap[c]!, t)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = t;
  };
  const pop = () => {
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      down(0);
    }
  };
  return {
    push(t) {
      heap.push(t);
      up(heap.length - 1);
    },
    first(live) {
      while (heap.length > 0 && !live(heap[0]!)) pop();
      return heap[0];
    },
    rebuild(ts) {
      heap = [...ts];
      for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
    },
    size: () => heap.length,
  };
}
