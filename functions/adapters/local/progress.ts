/**
 * Progress of a local run: a bar redrawn in place on a terminal, plain lines otherwise (CI logs, pipes).
 *
 * @example
 * const progress = createProgress(plan.partitions.length);
 * progress.done('r00000-c00000-256x256');
 */
export interface Progress {
  done(id: string, note?: string): void;
  failed(id: string, error: string): void;
  retry(id: string, attempt: number, error: string): void;
  finish(): void;
}

export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  let finished = 0, failures = 0;
  const started = Date.now();
  const tty = stream.isTTY && !quiet;
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const draw = () => {
    const width = 30, filled = Math.round((finished / Math.max(total, 1)) * width);
    stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${finished}/${total} partitions${failures ? `, ${failures} failed` : ''}  ${elapsed()}  `);
  };
  const line = (text: string) => {
    if (quiet) return;
    if (tty) stream.write(`\r${' '.repeat(80)}\r`);
    stream.write(`${text}\n`);
    if (tty) draw();
  };
  if (tty) draw();
  return {
    done(id, note) {
      finished++;
      if (tty) draw(); else line(`partition ${id} done (${finished}/${total})${note ? ` ${note}` : ''}`);
    },
    failed(id, error) {
      finished++; failures++;
      line(`partition ${id} FAILED: ${error}`);
    },
    retry(id, attempt, error) {
      line(`partition ${id} attempt ${attempt} failed, retrying: ${error}`);
    },
    finish() {
      if (tty) { draw(); stream.write('\n'); }
    },
  };
}
