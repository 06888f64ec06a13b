-- Cluster mode (several instances on one PostgreSQL, frames over NATS): the event's live frame
-- position, numbered in the write's own transaction, and the on-course board kept in the row.
ALTER TABLE events ADD COLUMN live_epoch TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN live_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN live_needs_full_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN oncourse_board TEXT;
ALTER TABLE events ADD COLUMN oncourse_last TEXT;
ALTER TABLE events ADD COLUMN oncourse_due BIGINT;
-- Every existing event gets its epoch now (new ones get one at creation): a room never loads a
-- sequence without a name, whichever mode first served the event.
UPDATE events SET live_epoch = substr(md5(random()::text || id::text || clock_timestamp()::text), 1, 16) WHERE live_epoch = '';
