-- Jobs, runs, steps, nodes and node events in real columns. The old tables are renamed; the
-- Java migration V4 moves their records into the new ones and drops them.
DROP INDEX jobs_state;
DROP INDEX jobs_end;
DROP INDEX jobs_array;
ALTER TABLE jobs RENAME TO jobs_v2;
ALTER TABLE nodes RENAME TO nodes_v2;

CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO counters (name, value)
    SELECT 'next_job_id', COALESCE((SELECT value FROM meta WHERE key = 'next_job_id'), 1);
-- Motley before this migration reads schema_version and refuses a newer schema
INSERT OR REPLACE INTO meta VALUES ('schema_version', 4);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    array_job_id INTEGER NOT NULL,
    array_task_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    user_name TEXT NOT NULL,
    uid INTEGER NOT NULL,
    gid INTEGER NOT NULL,
    account TEXT,
    partition_name TEXT,
    qos TEXT,
    state TEXT NOT NULL,
    reason TEXT,
    priority INTEGER NOT NULL,
    submit_time INTEGER NOT NULL,
    eligible_time INTEGER NOT NULL,
    start_time INTEGER NOT NULL,
    end_time INTEGER NOT NULL,
    time_limit INTEGER NOT NULL,
    exit_code INTEGER NOT NULL,
    exit_signal INTEGER NOT NULL,
    node_list TEXT,
    alloc_cpus INTEGER NOT NULL,
    alloc_mem_mib INTEGER NOT NULL,
    alloc_gpus INTEGER NOT NULL,
    gpu_ids TEXT NOT NULL,
    restarts INTEGER NOT NULL,
    work_dir TEXT,
    max_rss_kib INTEGER NOT NULL,
    max_vm_kib INTEGER NOT NULL,
    user_cpu_ms INTEGER NOT NULL,
    system_cpu_ms INTEGER NOT NULL,
    cancelled_by INTEGER NOT NULL,
    state_desc TEXT,
    record BLOB NOT NULL);
CREATE INDEX jobs_state ON jobs(state);
CREATE INDEX jobs_end ON jobs(end_time);
CREATE INDEX jobs_submit ON jobs(submit_time);
CREATE INDEX jobs_array ON jobs(array_job_id);
CREATE INDEX jobs_uid_end ON jobs(uid, end_time);
CREATE INDEX jobs_user ON jobs(user_name);
CREATE INDEX jobs_account ON jobs(account);
CREATE INDEX jobs_partition ON jobs(partition_name);

CREATE TABLE job_runs (
    job_id INTEGER NOT NULL,
    run INTEGER NOT NULL,
    start_time INTEGER NOT NULL,
    end_time INTEGER NOT NULL,
    state TEXT NOT NULL,
    exit_code INTEGER NOT NULL,
    exit_signal INTEGER NOT NULL,
    node_list TEXT,
    alloc_cpus INTEGER NOT NULL,
    PRIMARY KEY (job_id, run));

CREATE TABLE job_steps (
    job_id INTEGER NOT NULL,
    run INTEGER NOT NULL,
    step_name TEXT NOT NULL,
    start_time INTEGER NOT NULL,
    end_time INTEGER NOT NULL,
    state TEXT NOT NULL,
    exit_code INTEGER NOT NULL,
    exit_signal INTEGER NOT NULL,
    node_list TEXT,
    alloc_cpus INTEGER NOT NULL,
    max_rss_kib INTEGER NOT NULL,
    max_vm_kib INTEGER NOT NULL,
    user_cpu_ms INTEGER NOT NULL,
    system_cpu_ms INTEGER NOT NULL,
    PRIMARY KEY (job_id, run, step_name));

CREATE TABLE nodes (
    name TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    reason TEXT,
    reason_time INTEGER NOT NULL,
    address TEXT,
    cpus INTEGER NOT NULL,
    mem_mib INTEGER NOT NULL,
    gpus INTEGER NOT NULL,
    features TEXT NOT NULL,
    record BLOB NOT NULL);

CREATE TABLE node_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    node_name TEXT NOT NULL,
    event_time INTEGER NOT NULL,
    state TEXT NOT NULL,
    reason TEXT);
CREATE INDEX node_events_node ON node_events(node_name, event_time);
CREATE INDEX node_events_time ON node_events(event_time);
