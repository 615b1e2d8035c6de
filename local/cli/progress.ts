/**
 * Redrive progress on stderr: a bar redrawn in place when stderr is a terminal, otherwise one line per record
 * (so logs and CI output stay readable).
 */
import { type OutputStream, println } from "./io.ts";

export class Progress {
  private done = 0;
  private readonly tty: boolean;

  constructor(
    private readonly stream: OutputStream,
    private readonly total: number,
  ) {
    this.tty = stream.isTTY === true;
  }

  /**
   * Records one finished item. Its result line is always printed without a terminal; on a terminal only when
   * `notable` (a failure), above the bar.
   */
  step(line: string, notable = true): void {
    this.done += 1;
    if (!this.tty) {
      println(this.stream, line);
      return;
    }
    if (notable) this.stream.write(`\r\x1b[K${line}\n`);
    this.draw();
  }

  start(): void {
    if (this.tty) this.draw();
  }

  finish(): void {
    if (this.tty) this.stream.write("\r\x1b[K");
  }

  private draw(): void {
    const width = 30;
    const filled = this.total === 0 ? width : Math.round((this.done / this.total) * width);
    this.stream.write(
      `\r\x1b[K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${this.done}/${this.total}`,
    );
  }
}
