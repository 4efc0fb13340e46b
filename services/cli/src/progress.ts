/**
 * Progress on stderr: a redrawn bar on a terminal, a plain line every `intervalMs` otherwise (logs, CI).
 */
export class Progress {
  private done = 0;
  private readonly started = Date.now();
  private lastDraw = 0;

  constructor(
    private readonly total: number,
    private readonly out: { write(s: string): void; isTTY?: boolean },
    private readonly label: string,
    private readonly intervalMs = 2_000,
  ) {}

  advance(n: number): void {
    this.done += n;
    const now = Date.now();
    if (now - this.lastDraw >= (this.out.isTTY ? 200 : this.intervalMs)) {
      this.lastDraw = now;
      this.draw(false);
    }
  }

  finish(): void {
    this.draw(true);
  }

  line(): string {
    const secs = Math.max(0.001, (Date.now() - this.started) / 1000);
    const rate = this.done / secs;
    const left = Math.max(0, this.total - this.done);
    const eta = rate > 0 ? Math.ceil(left / rate) : null;
    const pct = this.total === 0 ? 100 : Math.min(100, Math.floor((this.done / this.total) * 100));
    const width = 24;
    const filled = Math.round((pct / 100) * width);
    return (
      `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${this.done}/${this.total} records ` +
      `${Math.round(rate)} events/s ETA ${eta === null ? '?' : `${eta}s`}`
    );
  }

  private draw(final: boolean): void {
    if (this.out.isTTY) this.out.write(`\r${this.line()}${final ? '\n' : ''}`);
    else this.out.write(`${this.line()}\n`);
  }
}
