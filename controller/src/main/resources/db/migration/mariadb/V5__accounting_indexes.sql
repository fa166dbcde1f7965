-- What sacct's queries need besides V4's indexes: the eligible time (the window's "eligible
-- before its end"), the state with the end time (-s with an end state: ended in it within the
-- window), and the restart count (the few requeued jobs whose earlier runs -D looks at).
CREATE INDEX jobs_eligible ON jobs(eligible_time);
CREATE INDEX jobs_state_end ON jobs(state, end_time);
CREATE INDEX jobs_restarts ON jobs(restarts);
