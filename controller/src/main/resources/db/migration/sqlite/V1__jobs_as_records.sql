-- The schema of Motley's first store (each job one encoded record), kept so that a new file is
-- built the same way an old one was and both go through the same later migrations.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE jobs (id INTEGER PRIMARY KEY, state TEXT NOT NULL, uid INTEGER NOT NULL,
    name TEXT NOT NULL, submit INTEGER NOT NULL, start INTEGER NOT NULL, end_time INTEGER NOT NULL,
    record BLOB NOT NULL);
CREATE INDEX jobs_state ON jobs(state);
CREATE INDEX jobs_end ON jobs(end_time);
CREATE TABLE nodes (name TEXT PRIMARY KEY, record BLOB NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('next_job_id', 1);
INSERT OR REPLACE INTO meta VALUES ('schema_version', 1);
