-- A multi-tile job whose planning is fanned out sends one `plan-tile` call per tile, and OpenFaaS CE neither
-- retries a call nor keeps one that was lost. One row per tile not planned yet, written with the job: SENT (due
-- again when its lease runs out: the call was lost on the way), PLANNING (a call claimed it; its lease runs out
-- when that function died), DEAD (past the attempt limit: the job is FAILED). The row goes when the tile's plan
-- is recorded in job_tiles.
CREATE TABLE IF NOT EXISTS tile_dispatch (
  job_id       text NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
  tile         text NOT NULL,
  state        text NOT NULL DEFAULT 'SENT' CHECK (state IN ('SENT', 'PLANNING', 'DEAD')),
  attempts     integer NOT NULL DEFAULT 0,
  lease_until  timestamptz NOT NULL,
  last_error   text,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, tile)
);
CREATE INDEX IF NOT EXISTS tile_dispatch_due ON tile_dispatch (lease_until) WHERE state IN ('SENT', 'PLANNING');
