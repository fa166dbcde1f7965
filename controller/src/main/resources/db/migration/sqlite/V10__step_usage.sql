-- What an srun step's tasks used (issue 11: sacct's MaxRSS, MaxRSSNode, AveCPU, ... of N.0), as
-- core's StepUsage writes it in text: the task with the most of each figure and its node, the
-- averages, CPU time summed. NULL while the step runs and for a step whose tasks no node measured.
-- The step's max_rss_kib, max_vm_kib, user_cpu_ms and system_cpu_ms carry the same peaks and sums.
ALTER TABLE job_steps ADD COLUMN task_usage TEXT;
