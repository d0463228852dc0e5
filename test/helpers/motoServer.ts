/**
 * moto (the emulator LocalStack builds on) as a second, independent AWS for the tests: `moto_server` started
 * on a free port for one test file. Tests that need it skip when it is not installed (`pip install
 * "moto[server]"`); the whole AWS suite also runs against it with `AWS_ENDPOINT_URL` (see docs/aws.md).
 *
 * @example
 * const moto = await startMoto(); // moto.url === 'http://127.0.0.1:5173'
 * await moto.stop();
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

export const MOTO_MISSING = spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status !== 0
  ? 'moto_server is not installed (pip install "moto[server]")' : undefined;

export async function startMoto(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address() as { port: number };
      probe.close(() => resolve(p));
    });
  });
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${url}/moto-api/`).then(() => true, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
