-- scontrol suspend (issue 15): the seconds a job spent suspended, in suspensions that are over
-- (Slurm's time_suspended, sacct's Suspended). The job's record holds it too, with when it was last
-- suspended or resumed; a suspended job's state column reads SUSPENDED.
ALTER TABLE jobs ADD COLUMN suspended BIGINT NOT NULL DEFAULT 0;
