-- Job and partition state of eofn on a DIAS. Partitions are claimed with leases; finalize is claimed once.
CREATE TABLE jobs (
  job_id                text PRIMARY KEY,
  op                    text NOT NULL,
  -- RUNNING | SUCCEEDED | FAILED | INVALID
  status                text NOT NULL,
  output_href           text,
  prepared_ref          text,
  memory_mb             integer,
  total                 integer NOT NULL DEFAULT 0,
  done                  integer NOT NULL DEFAULT 0,
  dead                  integer NOT NULL DEFAULT 0,
  max_attempts          integer NOT NULL DEFAULT 3,
  -- WAITING (parts missing) | QUEUED (dispatched) | RUNNING (claimed) | DONE | DEAD
  finalize_state        text NOT NULL DEFAULT 'WAITING',
  finalize_attempts     integer NOT NULL DEFAULT 0,
  finalize_lease_until  timestamptz,
  errors                jsonb NOT NULL DEFAULT '[]',
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE partitions (
  job_id        text NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
  partition_id  text NOT NULL,
  spec          jsonb NOT NULL,
  -- PENDING (dispatched) | RUNNING (claimed) | SUCCEEDED | FAILED (retry due) | DEAD
  status        text NOT NULL DEFAULT 'PENDING',
  attempts      integer NOT NULL DEFAULT 0,
  -- PENDING: re-dispatch after; RUNNING: the claim ends; FAILED: retry from
  lease_until   timestamptz NOT NULL,
  last_error    text,
  seconds       double precision,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, partition_id)
);
CREATE INDEX partitions_due ON partitions (lease_until) WHERE status IN ('PENDING', 'RUNNING', 'FAILED');

CREATE TABLE dead_letters (
  job_id        text NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
  partition_id  text NOT NULL,
  attempts      integer NOT NULL,
  error         text NOT NULL,
  message       jsonb NOT NULL,
  dead_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, partition_id)
);

CREATE TABLE poller_watermarks (
  source      text PRIMARY KEY,
  watermark   text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
