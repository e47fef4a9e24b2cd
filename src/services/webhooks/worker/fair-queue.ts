// The worker's local queue of claimed deliveries, one line per endpoint, served in turns: a lane
// takes the next delivery of the next endpoint that has fewer requests in flight than its cap. A
// slow endpoint then holds at most its cap of the lanes, and the others keep theirs. Every step is
// O(1) but for skipping endpoints at their cap, so a worker with one endpoint pays about what a
// plain array cost.

export interface Queued {
  item: { endpointId: string };
}

interface Line<T> {
  items: T[];
  inFlight: number;
  /** The endpoint's cap as last read. */
  cap: number;
}

export class FairQueue<T extends Queued> {
  readonly #lines = new Map<string, Line<T>>();
  /** Endpoints with queued deliveries, in turn order; the next turn is the head's. */
  #turns: string[] = [];
  #size = 0;
  /** Queued deliveries whose endpoint is at its cap: not sendable until one of its requests ends. */
  #blocked = 0;

  /** `capOf`: an endpoint's cap on requests in flight (read again at each change of its line). */
  constructor(private readonly capOf: (endpointId: string) => number) {}

  /** Deliveries queued, sendable or not. */
  get size(): number {
    return this.#size;
  }

  /** Deliveries queued whose endpoint is below its cap: what lanes can take now. */
  get sendable(): number {
    return this.#size - this.#blocked;
  }

  /** Queues a delivery at the back of its endpoint's line (`first`: at the front). */
  push(entry: T, first = false): void {
    const id = entry.item.endpointId;
    const line = this.#line(id);
    this.#change(id, line, () => (first ? line.items.unshift(entry) : line.items.push(entry)));
    if (line.items.length === 1) this.#turns.push(id);
    this.#size++;
  }

  /** The next delivery to send, its endpoint's request counted in flight until `done`. */
  take(): T | undefined {
    for (let tries = this.#turns.length; tries > 0; tries--) {
      const id = this.#turns.shift() as string;
      const line = this.#lines.get(id) as Line<T>;
      if (line.inFlight >= line.cap) {
        this.#turns.push(id); // its turn comes again once a request of its own has ended
        continue;
      }
      let entry: T | undefined;
      this.#change(id, line, () => {
        entry = line.items.shift();
        line.inFlight++;
      });
      if (line.items.length > 0) this.#turns.push(id);
      this.#size--;
      return entry;
    }
    return undefined;
  }

  /** The request of a delivery `take` handed out has ended. */
  done(endpointId: string): void {
    const line = this.#lines.get(endpointId);
    if (!line) return;
    this.#change(endpointId, line, () => line.inFlight--);
    if (line.inFlight === 0 && line.items.length === 0) this.#lines.delete(endpointId);
  }

  /** Every delivery queued (the heartbeat renews their leases). */
  *[Symbol.iterator](): IterableIterator<T> {
    for (const line of this.#lines.values()) yield* line.items;
  }

  /** Empties the queue, handing back what it held. */
  drain(): T[] {
    const out: T[] = [];
    for (const line of this.#lines.values()) out.push(...line.items.splice(0));
    this.#turns = [];
    this.#size = 0;
    this.#blocked = 0;
    return out;
  }

  #line(id: string): Line<T> {
    let line = this.#lines.get(id);
    if (!line) this.#lines.set(id, (line = { items: [], inFlight: 0, cap: this.capOf(id) }));
    return line;
  }

  /** Applies `step` to an endpoint's line, keeping the blocked count true; the cap is read again. */
  #change(id: string, line: Line<T>, step: () => void): void {
    const before = line.inFlight >= line.cap ? line.items.length : 0;
    step();
    line.cap = this.capOf(id);
    this.#blocked += (line.inFlight >= line.cap ? line.items.length : 0) - before;
  }
}
