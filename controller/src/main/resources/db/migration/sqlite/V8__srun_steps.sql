-- The steps srun makes inside a job (issue 11) join its batch step in job_steps, so that squeue -s,
-- scontrol show step and sacct still see them after the controller restarts. step_name is the
-- step's id as sacct shows it after the dot ("0", "1", ...); step_id is that id as a number, -1 for
-- the batch step; name is the step's own name (sacct's JobName, NULL for the batch step).
ALTER TABLE job_steps ADD COLUMN step_id INTEGER NOT NULL DEFAULT -1;
ALTER TABLE job_steps ADD COLUMN name TEXT;
ALTER TABLE job_steps ADD COLUMN tasks INTEGER NOT NULL DEFAULT 1;
ALTER TABLE job_steps ADD COLUMN mem_mib INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_steps ADD COLUMN overlap INTEGER NOT NULL DEFAULT 0;
