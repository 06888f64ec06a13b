-- The whole schema of docs/spec/data-model.md §2, PostgreSQL edition of
-- migrations/sqlite/2026-11-26-000000_init (same tables, columns, checks and indexes). Ids are
-- SERIAL (INTEGER, read as i32 like SQLite's) and never reused: a re-created event gets a new
-- events.id. created_at keeps SQLite's CURRENT_TIMESTAMP text ('YYYY-MM-DD HH:MM:SS', UTC): the
-- admin list returns the column as stored.
CREATE TABLE events (
  id                 SERIAL  PRIMARY KEY,
  event_id           TEXT    NOT NULL UNIQUE,
  main_title         TEXT    NOT NULL,
  sub_title          TEXT,
  location           TEXT,
  facility           TEXT,
  start_date         TEXT,
  end_date           TEXT,
  discipline         TEXT,
  status             TEXT    NOT NULL DEFAULT 'draft'
                     CHECK (status IN ('draft','startlist','running','finished','official')),
  status_changed_at  TEXT    NOT NULL,
  api_key            TEXT    NOT NULL UNIQUE,
  key_valid_from     TEXT,
  key_valid_until    TEXT,
  config             TEXT    NOT NULL DEFAULT '{}',
  has_xml_data       BOOLEAN NOT NULL DEFAULT FALSE,
  image              BYTEA,
  image_content_type TEXT,
  created_at         TEXT    NOT NULL
                     DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
);

CREATE TABLE classes (
  id         SERIAL  PRIMARY KEY,
  event_id   INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  class_id   TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  long_title TEXT,
  UNIQUE (event_id, class_id)
);

CREATE TABLE categories (
  id         SERIAL  PRIMARY KEY,
  class_id   INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  cat_id     TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  first_year INTEGER,
  last_year  INTEGER
);

CREATE TABLE participants (
  id             SERIAL  PRIMARY KEY,
  event_id       INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  participant_id TEXT    NOT NULL,
  class_id       INTEGER REFERENCES classes(id) ON DELETE SET NULL,
  event_bib      INTEGER,
  athlete_id     TEXT,
  family_name    TEXT    NOT NULL,
  given_name     TEXT,
  family_name2   TEXT,
  given_name2    TEXT,
  noc            TEXT,
  club           TEXT,
  cat_id         TEXT,
  is_team        BOOLEAN NOT NULL DEFAULT FALSE,
  member1        TEXT,
  member2        TEXT,
  member3        TEXT,
  UNIQUE (event_id, participant_id)
);

CREATE TABLE races (
  id             SERIAL  PRIMARY KEY,
  event_id       INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  race_id        TEXT    NOT NULL,
  class_id       INTEGER REFERENCES classes(id) ON DELETE SET NULL,
  dis_id         TEXT,
  race_type      TEXT    NOT NULL,
  race_order     INTEGER,
  start_time     TEXT,
  start_interval TEXT,
  course_nr      INTEGER,
  race_status    INTEGER NOT NULL DEFAULT 1,
  UNIQUE (event_id, race_id)
);

CREATE TABLE courses (
  id          SERIAL  PRIMARY KEY,
  event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  course_nr   INTEGER NOT NULL,
  nr_gates    INTEGER,
  gate_config TEXT,
  UNIQUE (event_id, course_nr)
);

CREATE TABLE results (
  id               SERIAL  PRIMARY KEY,
  event_id         INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  race_id          INTEGER NOT NULL REFERENCES races(id) ON DELETE CASCADE,
  participant_id   INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
  start_order      INTEGER,
  bib              INTEGER,
  start_time       TEXT,
  status           TEXT,
  dt_start         TEXT,
  dt_finish        TEXT,
  time             INTEGER,
  gates            TEXT,
  pen              INTEGER,
  total            INTEGER,
  rnk              INTEGER,
  rnk_order        INTEGER,
  cat_rnk          INTEGER,
  cat_rnk_order    INTEGER,
  total_behind     TEXT,
  cat_total_behind TEXT,
  prev_time        INTEGER,
  prev_pen         INTEGER,
  prev_total       INTEGER,
  prev_rnk         INTEGER,
  total_total      INTEGER,
  better_run_nr    INTEGER,
  heat_nr          INTEGER,
  round_nr         INTEGER,
  qualified        TEXT,
  last_source      TEXT    NOT NULL DEFAULT 'xml' CHECK (last_source IN ('xml','live')),
  UNIQUE (race_id, participant_id)
);

CREATE TABLE ingest_log (
  id          SERIAL  PRIMARY KEY,
  event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  kind        TEXT    NOT NULL
              CHECK (kind IN ('xml','json_oncourse','json_results','config','status')),
  outcome     TEXT    NOT NULL CHECK (outcome IN ('success','ignored','error')),
  http_status INTEGER NOT NULL,
  bytes       INTEGER NOT NULL,
  items       INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  error       TEXT,
  created_at  TEXT    NOT NULL
);

CREATE INDEX idx_classes_event          ON classes(event_id);
CREATE INDEX idx_categories_class       ON categories(class_id, position);
CREATE INDEX idx_participants_event     ON participants(event_id);
CREATE INDEX idx_participants_class     ON participants(class_id);
CREATE INDEX idx_races_event            ON races(event_id);
CREATE INDEX idx_races_class            ON races(class_id);
CREATE INDEX idx_results_race           ON results(race_id);
CREATE INDEX idx_results_participant    ON results(participant_id);
CREATE INDEX idx_results_event_race     ON results(event_id, race_id);
CREATE INDEX idx_ingest_log_event       ON ingest_log(event_id, id);
