/**
 * The two clocks of the DIAS job state: how long claimed work may run, and how long a sent call may wait,
 * before the reconciler presumes it lost and sends it again.
 *
 * @example
 * const timings: StoreTimings = { leaseSeconds: 960, dispatchTimeoutSeconds: 3600 };
 */
export interface StoreTimings {
  /** How long a claimed partition or finalize may run before it is presumed dead. */
  leaseSeconds: number;
  /** How long a dispatched message may wait in the queue before it is sent again. */
  dispatchTimeoutSeconds: number;
}
