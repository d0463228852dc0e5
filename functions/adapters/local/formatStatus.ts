/**
 * `eofn status` output: a bar of partitions done/failed/total (and, for a multi-tile job, its tiles planned:
 * the total grows as tiles are planned), then each failed partition's error.
 *
 * @example
 * process.stdout.write(formatStatus(view, process.stdout.isTTY));
 */
import type { JobStatusView } from '../shared/cliBackend.ts';

export function formatStatus(view: JobStatusView, tty = false): string {
  const width = 30;
  const filled = view.total ? Math.round((view.done / view.total) * width) : 0;
  const bar = tty ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
  const lines = [
    `job ${view.id} (${view.op}): ${view.status}`,
    `  ${bar}${view.done}/${view.total} partitions done, ${view.failed} failed`,
    ...(view.tiles ? [`  ${view.tiles.planned}/${view.tiles.total} tiles planned${view.tiles.planned < view.tiles.total ? ' (more partitions to come)' : ''}`] : []),
    ...(view.output ? [`  output ${view.output}`] : []),
    ...view.partitions.filter((p) => p.status === 'FAILED' || p.status === 'DEAD')
      .map((p) => `  ${p.status.toLowerCase()} ${p.id} after ${p.attempts} attempt(s): ${p.error ?? 'no error recorded'}`),
    ...view.errors.map((e) => `  ${e}`),
    ...(view.resume && view.status !== 'SUCCEEDED' ? [`  resume with: ${view.resume}`] : []),
  ];
  return lines.join('\n') + '\n';
}
