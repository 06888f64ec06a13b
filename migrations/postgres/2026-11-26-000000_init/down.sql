DROP TABLE ingest_log;
DROP TABLE results;
DROP TABLE courses;
DROP TABLE races;
DROP TABLE participants;
DROP TABLE categories;
DROP TABLE classes;
DROP TABLE events;
