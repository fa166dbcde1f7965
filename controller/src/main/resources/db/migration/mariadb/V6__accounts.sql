-- sacctmgr's database (issue 9): accounts with their own association's shares and limits, users,
-- users' associations with accounts, and QOS. A limit of -1 is not set; parent NULL is under root.
CREATE TABLE accounts (
    name VARCHAR(255) PRIMARY KEY,
    description TEXT NOT NULL,
    organization TEXT NOT NULL,
    parent VARCHAR(255),
    shares BIGINT NOT NULL,
    max_jobs BIGINT NOT NULL,
    max_submit_jobs BIGINT NOT NULL,
    max_wall BIGINT NOT NULL,
    grp_cpu BIGINT NOT NULL,
    grp_mem_mib BIGINT NOT NULL,
    grp_gpus BIGINT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE account_users (
    name VARCHAR(255) PRIMARY KEY,
    default_account VARCHAR(255),
    admin_level VARCHAR(32) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE associations (
    account VARCHAR(255) NOT NULL,
    user_name VARCHAR(255) NOT NULL,
    shares BIGINT NOT NULL,
    max_jobs BIGINT NOT NULL,
    max_submit_jobs BIGINT NOT NULL,
    max_wall BIGINT NOT NULL,
    grp_cpu BIGINT NOT NULL,
    grp_mem_mib BIGINT NOT NULL,
    grp_gpus BIGINT NOT NULL,
    PRIMARY KEY (account, user_name)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE qos (
    name VARCHAR(255) PRIMARY KEY,
    description TEXT NOT NULL,
    priority BIGINT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
