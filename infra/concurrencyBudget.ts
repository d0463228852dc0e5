/**
 * Lambda concurrency that a deployment can use at once, against the account's regional quota: every queue's
 * event-source cap, the reserved concurrency of arrivals, and the small fixed functions. AWS keeps 100 of the
 * quota unreserved, and caps that add up to more than the quota let one op starve the others (and arrivals)
 * by throttling, so the stack refuses to synthesize such a configuration.
 *
 * @example
 * checkConcurrency(config); // throws "…caps add up to 1420 … quota 1000 …"
 */
import type { ProviderConfig } from './providerConfig.ts';

/** Caps of the functions every deployment has besides the queues' own (dead-letter consumer, sweeper). */
export const DEAD_LETTER_CONCURRENCY = 2;
const SWEEPER_CONCURRENCY = 1;
const UNRESERVED_MINIMUM = 100;

export function concurrencyBudget(config: ProviderConfig): { parts: Record<string, number>; total: number; available: number } {
  const parts: Record<string, number> = {
    jobs: config.jobs.concurrency,
    finalize: config.finalize.concurrency,
    ...Object.fromEntries(Object.entries(config.ops).map(([op, s]) => [op, s.concurrency])),
    'arrivals (reserved)': config.arrivalsReservedConcurrency,
    'dead-letters': DEAD_LETTER_CONCURRENCY,
    sweeper: SWEEPER_CONCURRENCY,
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return { parts, total, available: config.accountConcurrency - UNRESERVED_MINIMUM };
}

export function checkConcurrency(config: ProviderConfig): void {
  const { parts, total, available } = concurrencyBudget(config);
  if (total > available) {
    const list = Object.entries(parts).map(([k, v]) => `${k} ${v}`).join(', ');
    throw new Error(`infra/config/${config.name}.json: concurrency caps add up to ${total} (${list}), more than the ${available} `
      + `the account quota of ${config.accountConcurrency} leaves (AWS keeps ${UNRESERVED_MINIMUM} unreserved); lower the caps or set accountConcurrency to your raised quota`);
  }
}
