-- A submission being planned by the jobs function. OpenFaaS CE does not retry a call whose function died (a
-- timeout, out of memory), so the jobs function records the submission first and the reconciler sends it again
-- once its lease expired, or, past the attempt limit, records the job as FAILED with the reason.
CREATE TABLE IF NOT EXISTS submissions (
  job_id       text PRIMARY KEY,
  message      jsonb NOT NULL,
  state        text NOT NULL DEFAULT 'RUNNING' CHECK (state IN ('RUNNING', 'DONE', 'DEAD')),
  attempts     integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  lease_until  timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS submissions_due ON submissions (lease_until) WHERE state = 'RUNNING';
