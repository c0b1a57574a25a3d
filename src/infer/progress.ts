/**
 * Progress of a sampling run on stderr: a redrawn bar on a terminal, or a line every few seconds
 * elsewhere, with draws per second and the divergences so far. Off by default unless stderr is a
 * terminal and the CI environment variable is unset.
 */

export interface ProgressSink {
  isTTY: boolean;
  write(text: string): void;
}

const stderrSink = (): ProgressSink => ({
  isTTY: Boolean(process.stderr.isTTY),
  write: (text) => process.stderr.write(text),
});

/** Whether to show progress when the user did not say. */
export function progressDefault(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env.CI;
}

export class Progress {
  private start = 0;
  private lastLine = 0;
  private done = 0;
  private divergences = 0;

  constructor(
    private readonly phase: string,
    private readonly total: number,
    private readonly sink: ProgressSink = stderrSink(),
    private readonly lineIntervalMs = 5000,
  ) {
    this.start = performance.now();
    this.lastLine = this.start;
  }

  /** Records `draws` more transitions (over all chains) and `divergences` among them. */
  update(draws: number, divergences = 0): void {
    this.done += draws;
    this.divergences += divergences;
    const now = performance.now();
    if (this.sink.isTTY) this.sink.write(`\r${this.line(now)}`);
    else if (now - this.lastLine >= this.lineIntervalMs || this.done >= this.total) {
      this.sink.write(`${this.line(now)}\n`);
      this.lastLine = now;
    }
  }

  finish(): void {
    if (this.sink.isTTY) this.sink.write(`\r${this.line(performance.now())}\n`);
  }

  private line(now: number): string {
    const fraction = this.total > 0 ? this.done / this.total : 1;
    const width = 30;
    const filled = Math.round(fraction * width);
    const bar = `${"#".repeat(filled)}${".".repeat(width - filled)}`;
    const seconds = Math.max((now - this.start) / 1000, 1e-9);
    const rate = this.done / seconds;
    return `${this.phase.padEnd(7)} [${bar}] ${this.done}/${this.total} | ${rate.toFixed(1)} draws/s | ${this.divergences} divergences`;
  }
}
