-- Every index of jobs costs each insert (a submission) its update: jobs_state(state) is the leading
-- part of V5's jobs_state_end(state, end_time), which serves the same queries.
DROP INDEX jobs_state;
