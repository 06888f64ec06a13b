ALTER TABLE events DROP COLUMN oncourse_due;
ALTER TABLE events DROP COLUMN oncourse_last;
ALTER TABLE events DROP COLUMN oncourse_board;
ALTER TABLE events DROP COLUMN live_needs_full_seq;
ALTER TABLE events DROP COLUMN live_seq;
ALTER TABLE events DROP COLUMN live_epoch;
