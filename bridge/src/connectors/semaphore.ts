/** At most `limit` holders at once; later callers wait in arrival order. A connector's client-side request limiter. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private limit: number) {}

  /** Resolves when a slot is free, with the function that frees it again. */
  async acquire(): Promise<() => void> {
    if (this.active < this.limit) this.active += 1;
    // Otherwise `admit` counts the slot as taken when it hands it over, so a caller arriving in between cannot take
    // it too (waking a waiter only resumes it a microtask later).
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    return () => {
      this.active -= 1;
      this.admit();
    };
  }

  /** Changes how many holders are allowed from now on; holders above a narrower limit finish undisturbed. */
  resize(limit: number): void {
    this.limit = limit;
    this.admit();
  }

  private admit(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active += 1;
      this.waiting.shift()?.();
    }
  }
}
