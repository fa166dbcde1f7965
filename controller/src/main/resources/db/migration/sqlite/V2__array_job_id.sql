-- Array tasks are found by their array's id (sacct -j 12 lists 12_1, 12_2, ...).
ALTER TABLE jobs ADD COLUMN array_job_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_array ON jobs(array_job_id);
INSERT OR REPLACE INTO meta VALUES ('schema_version', 2);
