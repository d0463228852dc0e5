#!/usr/bin/env node
// Plain JS entry so that `npx eofn` works before any build: Node >= 22.18 runs the TypeScript CLI directly.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(`eofn needs Node >= 22.18 (this is ${process.versions.node}); run it through npx or npm scripts after npm install.`);
  process.exit(1);
}
await import('../functions/adapters/local/cli.ts');
