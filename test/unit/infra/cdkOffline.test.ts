/**
 * `npx cdk synth` is offline: cdk.json turns off the CLI's notices download and its telemetry/version
 * reporting, so a synth on a machine without AWS access neither waits for nor contacts anything.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('cdk.json', () => {
  it('switches off notices, version reporting and CLI telemetry', () => {
    const cdk = JSON.parse(readFileSync('cdk.json', 'utf8'));
    expect(cdk).toMatchObject({ notices: false, versionReporting: false, context: { 'cli-telemetry': false } });
  });
});
