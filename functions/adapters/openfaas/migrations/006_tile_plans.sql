-- Multi-tile jobs planned a tile at a time: the job knows how many tiles it has and how many are planned
-- (their partitions are in `total`); finalize waits for both. One row per planned tile: where its plan is
-- stored and the digest partition functions check, and whether its partitions were all sent.
ALTER TABLE jobs ADD COLUMN tiles integer NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN tiles_planned integer NOT NULL DEFAULT 0;

CREATE TABLE job_tiles (
  job_id       text NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
  tile         text NOT NULL,
  plan_ref     text NOT NULL,
  plan_digest  text NOT NULL,
  partitions   integer NOT NULL,
  sent         boolean NOT NULL DEFAULT false,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, tile)
);
