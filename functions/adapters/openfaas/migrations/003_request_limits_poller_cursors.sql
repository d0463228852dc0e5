-- Request limits shared by every replica of a deployment (e.g. the CDSE S3 quota of one account):
-- connection slots held with a lease, and a token bucket per limited endpoint ("pool").
CREATE TABLE request_slots (
  pool        text NOT NULL,
  slot        integer NOT NULL,
  holder      text,
  -- A slot is free once this has passed: released at once, or by lease expiry if its holder died.
  expires_at  timestamptz NOT NULL DEFAULT '-infinity',
  PRIMARY KEY (pool, slot)
);

CREATE TABLE request_buckets (
  pool        text PRIMARY KEY,
  tokens      double precision NOT NULL,
  updated_at  timestamptz NOT NULL
);

-- Where the STAC poller resumes when its last search was cut at EOFN_STAC_MAX_ITEMS (no look-back then).
CREATE TABLE poller_cursors (
  source       text PRIMARY KEY,
  resume_from  text NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
