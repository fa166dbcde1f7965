-- The whole schema at version 4 (SQLite reaches it through V1-V4; a server starts here, so that
-- a later V5 means the same change everywhere).
CREATE TABLE counters (name VARCHAR(64) PRIMARY KEY, value BIGINT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO counters (name, value) VALUES ('next_job_id', 1);

CREATE TABLE jobs (
    id BIGINT PRIMARY KEY,
    array_job_id BIGINT NOT NULL,
    array_task_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    user_name VARCHAR(255) NOT NULL,
    uid BIGINT NOT NULL,
    gid BIGINT NOT NULL,
    account VARCHAR(255),
    partition_name VARCHAR(255),
    qos VARCHAR(255),
    state VARCHAR(255) NOT NULL,
    reason TEXT,
    priority BIGINT NOT NULL,
    submit_time BIGINT NOT NULL,
    eligible_time BIGINT NOT NULL,
    start_time BIGINT NOT NULL,
    end_time BIGINT NOT NULL,
    time_limit BIGINT NOT NULL,
    exit_code BIGINT NOT NULL,
    exit_signal BIGINT NOT NULL,
    node_list TEXT,
    alloc_cpus BIGINT NOT NULL,
    alloc_mem_mib BIGINT NOT NULL,
    alloc_gpus BIGINT NOT NULL,
    gpu_ids TEXT NOT NULL,
    restarts BIGINT NOT NULL,
    work_dir TEXT,
    max_rss_kib BIGINT NOT NULL,
    max_vm_kib BIGINT NOT NULL,
    user_cpu_ms BIGINT NOT NULL,
    system_cpu_ms BIGINT NOT NULL,
    cancelled_by BIGINT NOT NULL,
    state_desc TEXT,
    record LONGBLOB NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX jobs_state ON jobs(state);
CREATE INDEX jobs_end ON jobs(end_time);
CREATE INDEX jobs_submit ON jobs(submit_time);
CREATE INDEX jobs_array ON jobs(array_job_id);
CREATE INDEX jobs_uid_end ON jobs(uid, end_time);
CREATE INDEX jobs_user ON jobs(user_name);
CREATE INDEX jobs_account ON jobs(account);
CREATE INDEX jobs_partition ON jobs(partition_name);

CREATE TABLE job_runs (
    job_id BIGINT NOT NULL,
    run BIGINT NOT NULL,
    start_time BIGINT NOT NULL,
    end_time BIGINT NOT NULL,
    state VARCHAR(255) NOT NULL,
    exit_code BIGINT NOT NULL,
    exit_signal BIGINT NOT NULL,
    node_list TEXT,
    alloc_cpus BIGINT NOT NULL,
    PRIMARY KEY (job_id, run)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE job_steps (
    job_id BIGINT NOT NULL,
    run BIGINT NOT NULL,
    step_name VARCHAR(255) NOT NULL,
    start_time BIGINT NOT NULL,
    end_time BIGINT NOT NULL,
    state VARCHAR(255) NOT NULL,
    exit_code BIGINT NOT NULL,
    exit_signal BIGINT NOT NULL,
    node_list TEXT,
    alloc_cpus BIGINT NOT NULL,
    max_rss_kib BIGINT NOT NULL,
    max_vm_kib BIGINT NOT NULL,
    user_cpu_ms BIGINT NOT NULL,
    system_cpu_ms BIGINT NOT NULL,
    PRIMARY KEY (job_id, run, step_name)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE nodes (
    name VARCHAR(255) PRIMARY KEY,
    state VARCHAR(255) NOT NULL,
    reason TEXT,
    reason_time BIGINT NOT NULL,
    address TEXT,
    cpus BIGINT NOT NULL,
    mem_mib BIGINT NOT NULL,
    gpus BIGINT NOT NULL,
    features TEXT NOT NULL,
    record LONGBLOB NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE node_events (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    node_name VARCHAR(255) NOT NULL,
    event_time BIGINT NOT NULL,
    state VARCHAR(255) NOT NULL,
    reason TEXT) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE INDEX node_events_node ON node_events(node_name, event_time);
CREATE INDEX node_events_time ON node_events(event_time);
