-- Planned work only: the content hash of each job (the same id with another content is a conflict) and the
-- SHA-256 of its stored prepared job (a partition refuses a prepared file that differs).
ALTER TABLE jobs ADD COLUMN job_hash text;
ALTER TABLE jobs ADD COLUMN prepared_digest text;
