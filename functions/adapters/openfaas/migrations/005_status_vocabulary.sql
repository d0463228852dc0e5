-- The one status vocabulary of core/lifecycle/jobStatus.ts, held by the tables: a job is RUNNING from the
-- moment it is recorded (its partitions are recorded with it) and its merge's claim is `finalize_state`, so
-- PLANNED and FINALIZING (AWS) do not occur here; a partition is never INTERRUPTED (a local run's status).
ALTER TABLE jobs ADD CONSTRAINT jobs_status_vocabulary
  CHECK (status IN ('PLANNED', 'RUNNING', 'FINALIZING', 'SUCCEEDED', 'FAILED', 'INVALID'));
ALTER TABLE jobs ADD CONSTRAINT jobs_finalize_state
  CHECK (finalize_state IN ('WAITING', 'QUEUED', 'RUNNING', 'DONE', 'DEAD'));
ALTER TABLE partitions ADD CONSTRAINT partitions_status_vocabulary
  CHECK (status IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'DEAD'));
