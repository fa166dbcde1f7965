#!/usr/bin/env python3
"""
Writes cases.txt: the compatibility cases, walked from the Slurm 22.05 man pages option by option.

One case a line: an id, a tab, a shell command. The set-up names in run.sh ($done, $run1, $pend1,
$arr, ...) are the jobs each case looks at; $LAST is the job the latest case submitted.
Order matters: read-only cases first, then cases that change jobs, then submissions.
"""
import os

cases = []
def c(cid, cmd):
    assert "\t" not in cmd
    cases.append((cid, cmd))

# ---------------------------------------------------------------- sinfo
c("@parallel", "")
c("sinfo.default", "sinfo")
for o in ["-a", "-d", "-e", "-h", "-i 0", "-l", "-N", "-N -l", "-r", "-R", "-s", "-v", "--all", "--dead", "--exact",
          "--noheader", "--long", "--Node", "--responding", "--list-reasons", "--summarize", "-p debug", "-p nope",
          "--partition=debug", "-n vm", "-n nonode", "--nodes=vm", "-t idle", "-t mix", "-t alloc", "-t down",
          "-t drain", "-t bogus", "--states=mixed", "-T", "--reservation", "-S P", "-S -P", "-S N", "-S t",
          "-M anchor", "--federation", "--local", "-V", "--version", "--usage", "-x", "-h -N", "-o %P", "--format=%P %a",
          "-Nel", "-N -o %N", "--bogus", "-t alloc,mix", "-p debug -t idle"]:
    c("sinfo." + o.strip("-").replace(" ", "_"), "sinfo " + o)
for code in "aAbBcCdDeEfFgGhHIlLmMnNoOpPrRsStTuUvVwXYZz":
    c("sinfo.o%" + code, "sinfo -o '%" + code + "'")
c("sinfo.o.width", "sinfo -o '%.20P %5a %-10l %N'")
c("sinfo.o.default_equiv", "sinfo -o '%#P %.5a %.10l %.6D %.6t %N'")
for f in ["Available", "Cluster", "Comment", "Cores", "CPUs", "CPUsLoad", "CPUsState", "DefaultTime", "Disk",
          "Extra", "Features", "features_act", "FreeMem", "Gres", "GresUsed", "Groups", "MaxCPUsPerNode", "Memory",
          "NodeAddr", "NodeAI", "NodeAIOT", "NodeHost", "NodeList", "Nodes", "OverSubscribe", "Partition",
          "PartitionName", "Port", "PreemptMode", "PriorityJobFactor", "PriorityTier", "Reason", "Root", "Size",
          "SocketCoreThread", "Sockets", "StateCompact", "StateLong", "Threads", "Time", "TimeStamp", "User",
          "UserLong", "Version", "Weight", "nosuchfield"]:
    c("sinfo.O." + f, "sinfo -O " + f)
c("sinfo.O.multi", "sinfo -O 'Partition:12,Available,NodeList:.20,StateLong'")
c("sinfo.O.N", "sinfo -N -O NodeList,CPUs,Memory,StateLong")

# ---------------------------------------------------------------- squeue
c("squeue.default", "squeue")
for o in ["-a", "-h", "-l", "-l -h", "-r", "-s", "-v", "--all", "--array", "--noheader", "--long", "--steps",
          "-t all", "-t PD", "-t R", "-t CD", "-t CA", "-t F", "-t TO", "-t CG", "-t S", "-t pending,running",
          "-t bogus", "--states=all", "-t all -r", "-u root", "-u nosuchuser", "--user=root", "-U root", "-A root",
          "-A nosuchaccount", "-p debug", "-p nope", "--partition=debug", "-q normal", "-w vm", "-w nonode",
          "--nodelist=vm", "-n pend1", "-n nosuch", "--name=run1,run2", "-j $run1", "-j $run1,$pend1",
          "-j 999999", "--jobs=$done", "-j $done", "-j $canc", "-j ${arr}_3", "-j $arr", "-j $arr -r", "-j ${arrt}",
          "-j $arrd", "-j $arrd -t all", "-j abc", "-S i", "-S -i", "-S P,-t", "-S j", "-S u", "-S T", "--sort=-i",
          "--start", "-L root", "--licenses=foo", "-R nores", "--me", "-M anchor", "--federation", "--local",
          "--sibling", "-V", "--version", "--usage", "--bogus", "-t all -h -o '%i %T'", "-i 1 --bogus", "--help | head -3"]:
    c("squeue." + o.strip("-").replace(" ", "_"), "squeue " + o)
for code in "aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRSstTuUvVwWxXyYzZ":
    c("squeue.o%" + code, "squeue -t all -o '%i %" + code + "'")
c("squeue.o.width", "squeue -o '%.7i %.3P %.12j %-4u %.2t'")
c("squeue.o.default_equiv", "squeue -o '%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R'")
c("squeue.o.literal", "squeue -o 'job=%i|%T%%'")
for f in ["Account", "AccrueTime", "admin_comment", "AllocNodes", "AllocSID", "ArrayJobID", "ArrayTaskID", "AssocID",
          "BatchFlag", "BatchHost", "BoardsPerNode", "BurstBuffer", "BurstBufferState", "Cluster", "ClusterFeature",
          "Command", "Comment", "Contiguous", "Cores", "CoreSpec", "CPUFreq", "cpus-per-task", "cpus-per-tres",
          "Deadline", "DelayBoot", "Dependency", "DerivedEC", "EligibleTime", "EndTime", "exit_code", "Feature",
          "GroupID", "GroupName", "HetJobID", "HetJobIDSet", "HetJobOffset", "JobArrayID", "JobID", "LastSchedEval",
          "Licenses", "MaxCPUs", "MaxNodes", "MCSLabel", "mem-per-tres", "MinCpus", "MinMemory", "MinTime",
          "MinTmpDisk", "Name", "Network", "Nice", "NodeList", "Nodes", "NTPerBoard", "NTPerCore", "NTPerNode",
          "NTPerSocket", "NumCPUs", "NumNodes", "NumTasks", "Origin", "OriginRAW", "OverSubscribe", "Partition",
          "PendingTime", "PreemptTime", "Prefer", "Priority", "PriorityLong", "Profile", "QOS", "Reason",
          "ReasonList", "Reboot", "ReqNodes", "ReqSwitch", "Requeue", "Reservation", "ResizeTime", "RestartCnt",
          "ResvPort", "SchedNodes", "SCT", "SiblingsActive", "SiblingsViable", "Sockets", "SPerBoard", "StartTime",
          "State", "StateCompact", "STDERR", "STDIN", "STDOUT", "StepID", "StepName", "StepState", "SubmitTime",
          "system_comment", "Threads", "TimeLeft", "TimeLimit", "TimeUsed", "tres-alloc", "tres-bind", "tres-freq",
          "tres-per-job", "tres-per-node", "tres-per-socket", "tres-per-step", "tres-per-task", "UserID",
          "UserName", "Wait4Switch", "WCKey", "WorkDir", "nosuchfield"]:
    c("squeue.O." + f, "squeue -t all -O JobID," + f)
c("squeue.O.widths", "squeue -O 'JobID:10,Name:.12,State:|,TimeLimit'")

# ---------------------------------------------------------------- scontrol (read-only)
for name in ["done", "fail", "env1", "env3", "env6", "tlim", "run1", "run2", "pend1", "pend2", "held", "dep",
             "depfail", "begin", "arr", "arrt", "canc", "arrd"]:
    c("scontrol.show_job." + name, "scontrol show job $" + name)
c("scontrol.show_job.arr_3", "scontrol show job ${arr}_3")
c("scontrol.show_job.arrd_2", "scontrol show job ${arrd}_2")
c("scontrol.show_job.d", "scontrol -d show job $run1")
c("scontrol.show_job.o", "scontrol -o show job $pend1")
c("scontrol.show_job.none", "scontrol show job 999999")
c("scontrol.show_job.abc", "scontrol show job abc")
c("scontrol.show_jobs.count", "scontrol show jobs | grep -c JobId=")
c("scontrol.show_node", "scontrol show node")
c("scontrol.show_node.vm", "scontrol show node vm")
c("scontrol.show_node.o", "scontrol -o show node")
c("scontrol.show_node.none", "scontrol show node nonode")
c("scontrol.show_nodes", "scontrol show nodes")
c("scontrol.show_partition", "scontrol show partition")
c("scontrol.show_partition.debug", "scontrol show partition debug")
c("scontrol.show_partition.o", "scontrol -o show partition")
c("scontrol.show_partition.none", "scontrol show partition nope")
c("scontrol.show_partitions", "scontrol show partitions")
c("scontrol.show_config.keys", "scontrol show config | sed -n 's/ *=.*//p' | head -200")
c("scontrol.show_config.DefMemPerCPU", "scontrol show config | grep -E '^(DefMemPerCPU|MaxArraySize|ClusterName|SchedulerTimeSlice|AcctGatherNodeFreq|MaxJobCount|FirstJobId|KillWait|SlurmctldPort) '")
c("scontrol.show_config.head", "scontrol show config | head -2")
c("scontrol.show_hostnames", "scontrol show hostnames 'vm,n[1-3],x[01-02]'")
c("scontrol.show_hostlist", "scontrol show hostlist 'n1,n2,n3,x01,x02'")
c("scontrol.show_hostlistsorted", "scontrol show hostlistsorted 'n3,n1,n2'")
c("scontrol.show_hostnames.bad", "scontrol show hostnames 'n[1-'")
c("scontrol.show_step", "scontrol show step $run1.batch")
c("scontrol.show_steps", "scontrol show steps")
c("scontrol.show_reservation", "scontrol show reservation")
c("scontrol.show_licenses", "scontrol show licenses")
c("scontrol.show_frontend", "scontrol show frontend")
c("scontrol.show_topology", "scontrol show topology")
c("scontrol.show_assoc", "scontrol show assoc_mgr | head -3")
c("scontrol.show_daemons", "scontrol show daemons")
c("scontrol.show_bogus", "scontrol show bogus")
c("scontrol.ping", "scontrol ping")
c("scontrol.version", "scontrol version")
c("scontrol.V", "scontrol -V")
c("scontrol.listpids", "scontrol listpids")
c("scontrol.bogus", "scontrol bogus")
c("scontrol.noargs_stdin", "scontrol < /dev/null")
c("scontrol.write_batch_script", "scontrol write batch_script $run2 - ")
c("scontrol.write_batch_script.wrap", "scontrol write batch_script $run1 -")
c("scontrol.write_batch_script.file", "scontrol write batch_script $run2 && cat slurm-$run2.sh")
c("scontrol.write_batch_script.none", "scontrol write batch_script 999999 -")
c("scontrol.show_job.Command", "scontrol show job $run2 | grep -o 'Command=[^ ]*'")
c("scontrol.show_job.StdOut", "scontrol show job $run2 | grep -oE '(StdOut|StdErr|StdIn|WorkDir)=[^ ]*'")

# ---------------------------------------------------------------- sacct (read-only)
for o in ["", "-a", "-X", "-j $done", "-j $fail", "-j $arrd", "-j $run1", "-j $canc", "-j 999999", "-b", "-l",
          "-P", "-p", "-n", "-D", "-o JobID,State,ExitCode", "-o JobID%20,JobName", "--format=JobID,Elapsed",
          "-e", "-S now-1hour", "-E now", "-s CD", "-s F,CA", "-u root", "-A root", "-r debug", "-N vm",
          "--name=done", "-X -o JobID,ReqMem,AllocCPUS,State", "-j $done -o MaxRSS,AveRSS", "--array -j $arrd",
          "-B -j $run2", "-T", "--bogus", "-V"]:
    c("sacct." + (o.strip("-").replace(" ", "_") or "default"), ("sacct " + o).strip())

# ---------------------------------------------------------------- the job's environment
for n in range(1, 11):
    c(f"env.env{n}", f"cat env{n}.out")
c("env.arrd", "cat arrd-${arrd}_1.out")
c("@serial", "")

# ---------------------------------------------------------------- scontrol (changing jobs)
c("scontrol.hold", "scontrol hold $m1")
c("scontrol.hold.show", "squeue -h -j $m1 -o '%T %r %p'")
c("scontrol.release", "scontrol release $m1")
c("scontrol.release.show", "squeue -h -j $m1 -o '%T %r'")
c("scontrol.hold.running", "scontrol hold $run1")
c("scontrol.hold.done", "scontrol hold $done")
c("scontrol.hold.none", "scontrol hold 999999")
c("scontrol.hold.array", "scontrol hold $m4")
c("scontrol.hold.array.show", "squeue -h -r -j $m4 -o '%i %r'")
c("scontrol.release.array", "scontrol release $m4")
c("scontrol.uhold", "scontrol uhold $m2")
c("scontrol.uhold.show", "squeue -h -j $m2 -o '%r'")
c("scontrol.release.m2", "scontrol release $m2")
c("scontrol.release.m3", "scontrol release $m3")
c("scontrol.release.notheld", "scontrol release $m3")
c("scontrol.release.none", "scontrol release 999999")
for kv in ["TimeLimit=20", "TimeLimit=1:30:00", "TimeLimit=+5", "TimeLimit=-5", "TimeLimit=UNLIMITED",
           "TimeLimit=bogus", "Name=renamed", "JobName=renamed2", "Partition=debug", "Partition=nope",
           "NumCPUs=2", "MinMemoryNode=500", "MinMemoryCPU=200", "Priority=100", "Nice=10",
           "Comment=hello", "StartTime=now+1hour", "StartTime=now", "Dependency=afterok:$done", "Dependency=",
           "Features=foo", "Features=", "ReqNodeList=vm", "ExcNodeList=vm", "ExcNodeList=", "WorkDir=/tmp",
           "StdOut=/tmp/x.out", "Account=acct", "QOS=normal", "Requeue=0", "Requeue=1", "NumNodes=1", "NumTasks=2",
           "MailUser=a@b", "MailType=END", "Bogus=1", "Shared=0", "OverSubscribe=yes", "Contiguous=1",
           "Reboot=1", "Licenses=foo", "ArrayTaskThrottle=3",
           # last: Slurm keeps NumCPUs=8 though it refuses the update, and refuses every later one
           "NumCPUs=8"]:
    c("scontrol.update." + kv.split("=")[0] + "." + kv.split("=")[1].replace("$", "").replace(":", "_").replace("/", "_"),
      "scontrol update JobId=$m5 " + kv)
    if kv.startswith("TimeLimit") or kv.startswith("Name") or kv.startswith("NumCPUs=2") or kv.startswith("MinMemory") or kv.startswith("Comment") or kv.startswith("Priority") or kv.startswith("Nice"):
        c("scontrol.update." + kv.split("=")[0] + "." + kv.split("=")[1].replace("$", "") + ".show",
          "scontrol show job $m5 | grep -oE '(TimeLimit|JobName|NumCPUs|MinMemory[A-Za-z]*|Comment|Priority|Nice)=[^ ]*'")
c("scontrol.update.array_throttle", "scontrol update JobId=$arrt ArrayTaskThrottle=3")
c("scontrol.update.array_throttle.show", "squeue -h -j $arrt -o '%i'")
c("scontrol.update.running.TimeLimit", "scontrol update JobId=$run2 TimeLimit=20")
c("scontrol.update.running.TimeLimit.show", "scontrol show job $run2 | grep -o 'TimeLimit=[^ ]*'")
c("scontrol.update.running.NumCPUs", "scontrol update JobId=$run2 NumCPUs=1")
c("scontrol.update.done", "scontrol update JobId=$done TimeLimit=5")
c("scontrol.update.none", "scontrol update JobId=999999 TimeLimit=5")
c("scontrol.update.nojob", "scontrol update TimeLimit=5")
c("scontrol.update.jobname", "scontrol update JobName=m2 TimeLimit=9")
c("scontrol.update.node.drain", "scontrol update NodeName=vm State=DRAIN Reason=maint")
c("scontrol.update.node.drain.sinfo", "sinfo")
c("scontrol.update.node.drain.R", "sinfo -R -o '%N %T %E'")
c("scontrol.update.node.drain.show", "scontrol show node vm | grep -oE '(State|Reason)=[^ ]*'")
c("scontrol.update.node.resume", "scontrol update NodeName=vm State=RESUME")
c("scontrol.update.node.resume.sinfo", "sinfo")
c("scontrol.update.node.bogus", "scontrol update NodeName=vm State=BOGUS")
c("scontrol.update.node.noreason", "scontrol update NodeName=vm State=DRAIN")
c("scontrol.update.node.none", "scontrol update NodeName=nonode State=RESUME")
c("scontrol.update.node.weight", "scontrol update NodeName=vm Weight=5")
c("scontrol.update.part.down", "scontrol update PartitionName=debug State=DOWN")
c("scontrol.update.part.down.sinfo", "sinfo")
c("scontrol.update.part.up", "scontrol update PartitionName=debug State=UP")
c("scontrol.update.part.none", "scontrol update PartitionName=nope State=UP")
c("scontrol.update.part.bogus", "scontrol update PartitionName=debug State=BOGUS")
c("scontrol.update.part.maxtime", "scontrol update PartitionName=debug MaxTime=60")
c("scontrol.update.part.maxtime.back", "scontrol update PartitionName=debug MaxTime=INFINITE")
c("scontrol.top", "scontrol top $m2")
c("scontrol.top.order", "squeue -h -t PD -o '%i' | head -3")
c("scontrol.top.none", "scontrol top 999999")
c("scontrol.suspend", "scontrol suspend $run1")
c("scontrol.suspend.pending", "scontrol suspend $m1")
c("scontrol.resume", "scontrol resume $run1")
c("scontrol.requeue.pending", "scontrol requeue $m1")
c("scontrol.requeue.done", "scontrol requeue $done")
c("scontrol.requeue.none", "scontrol requeue 999999")
c("scontrol.requeuehold.done", "scontrol requeuehold $fail")
c("scontrol.notify", "scontrol notify $run1 hello")
c("scontrol.notify.pending", "scontrol notify $m1 hello")
c("scontrol.reconfigure.bogus", "scontrol reconfigure bogus")
c("scontrol.show_job.m5.after", "scontrol show job $m5")

# ---------------------------------------------------------------- scancel
c("scancel.none", "scancel 999999")
c("scancel.done", "scancel $done")
c("scancel.abc", "scancel abc")
c("scancel.noargs", "scancel")
c("scancel.v", "scancel -v $m1")
c("scancel.m1.state", "squeue -h -t all -j $m1 -o '%T %r'")
c("scancel.n", "scancel -n m2")
c("scancel.n.state", "squeue -h -t all -j $m2 -o '%T'")
c("scancel.t.bogus", "scancel -t bogus")
c("scancel.t.pd.p", "scancel -t PD -p nope")
c("scancel.array_task", "scancel ${m4}_2")
c("scancel.array_task.state", "squeue -h -r -t all -j $m4 -o '%i %T'")
c("scancel.array", "scancel $m4")
c("scancel.array.state", "squeue -h -r -t all -j $m4 -o '%i %T'")
c("scancel.array.r", "squeue -r -t all -j $m4")
c("scancel.i.no", "echo n | scancel -i $m3")
c("scancel.i.state", "squeue -h -t all -j $m3 -o '%T'")
c("scancel.b", "scancel -b $m3")
c("scancel.full", "scancel --full $m5")
c("scancel.s", "scancel -s USR1 $run2")
c("scancel.signal.bogus", "scancel --signal=BOGUS $run2")
c("scancel.u.nosuch", "scancel -u nosuchuser")
c("scancel.w.none", "scancel -w nonode")
c("scancel.A", "scancel -A nosuchaccount")
c("scancel.q", "scancel -q nosuchqos")
c("scancel.R", "scancel --reservation=nores")
c("scancel.M", "scancel -M anchor 999999")
c("scancel.ctld", "scancel --ctld 999999")
c("scancel.H", "scancel -H 999999")
c("scancel.Q", "scancel -Q 999999")
c("scancel.V", "scancel -V")
c("scancel.usage", "scancel --usage")
c("scancel.bogus", "scancel --bogus")
c("scancel.canc.state", "scontrol show job $canc | grep -oE '(JobState|Reason|ExitCode)=[^ ]*'")

# ---------------------------------------------------------------- sbatch
sb = []
def s(opts, show=False, script="--wrap true"):
    sb.append((opts, show, script))
for o in ["", "-J name", "--job-name=name", "-t 10", "-t 10:30", "-t 1-2:30:15", "-t 0", "-t UNLIMITED",
          "-t infinite", "-t 2-0", "-t 99999999", "-t notatime", "--time=5", "-t 1 --time-min=1",
          "-p debug", "-p nope", "--partition=debug", "-n 2", "-n 0", "-n 3", "--ntasks=1", "-c 2", "-c 3", "-c abc",
          "-c 0", "--cpus-per-task=1", "-N 1", "-N 2", "-N 1-1", "-N 0", "-N abc", "--nodes=1", "--mem=100",
          "--mem=1G", "--mem=100M", "--mem=0", "--mem=1T", "--mem=bogus", "--mem-per-cpu=100", "--mem=1 --mem-per-cpu=1",
          "--mem-per-cpu=100G", "--exclusive", "--exclusive=user", "-s", "--oversubscribe", "-o out.txt",
          "-o %x-%j.out", "-e err.txt", "-o /nonexistent/dir/out", "-D /tmp", "-D /nonexistent", "--chdir=/tmp",
          "-H", "--hold", "-d afterok:$done", "-d afterany:$fail", "-d afternotok:$fail", "-d afterok:999999",
          "-d singleton", "-d $done", "-d bogus", "-d afterok:$run1?afterany:$done", "--dependency=after:$run1",
          "--kill-on-invalid-dep=yes", "--begin=now+1hour", "--begin=2030-01-01T00:00:00", "--begin=bogus",
          "--deadline=now+1hour", "--deadline=now+1hour -t 10", "-a 1-3", "--array=1-3", "--array=1,3,5",
          "--array=1-10:2", "--array=1-5%2", "--array=0-1000", "--array=1-1500", "--array=bogus", "--array=5-1",
          "-A acct", "--account=acct", "-q normal", "--qos=normal", "--comment=hello", "--nice=10", "--nice=-10",
          "--priority=10", "--mail-type=END", "--mail-type=BOGUS", "--mail-user=a@b", "--mail-type=ALL --mail-user=a@b",
          "--requeue", "--no-requeue", "--export=NONE", "--export=ALL", "--export=FOO=bar", "--export=ALL,FOO=bar",
          "--get-user-env", "--open-mode=append", "--open-mode=bogus", "-C foo", "--constraint=foo", "--prefer=foo",
          "-w vm", "-w nonode", "--nodelist=vm", "-x vm", "--exclude=nonode", "--contiguous", "--gres=gpu:1",
          "--gpus=1", "-G 1", "--gpus-per-node=1", "--cpus-per-gpu=1", "--mem-per-gpu=100", "-L foo",
          "--licenses=foo", "--reservation=nores", "--tmp=100", "--tmp=0", "-M anchor", "-M other", "--batch=foo",
          "-i /dev/null", "--input=/dev/null", "--export-file=/dev/null", "-k", "--no-kill", "-m block",
          "--distribution=cyclic", "--mincpus=1", "-O", "--overcommit", "-S 0", "--core-spec=0", "--hint=nomultithread",
          "--threads-per-core=1", "--switches=1", "--delay-boot=1", "--propagate=ALL", "--acctg-freq=30",
          "--cpu-freq=high", "--mcs-label=foo", "--profile=none", "--uid=0", "--gid=0", "--signal=USR1@60",
          "--signal=B:TERM@30", "--signal=bogus", "--wckey=foo", "--network=foo", "--bb=foo", "--power=foo",
          "--sockets-per-node=1", "--cores-per-socket=1", "-B 1:1:1", "--extra-node-info=1", "--ntasks-per-node=2",
          "--ntasks-per-core=1", "--ntasks-per-socket=1", "--spread-job", "--use-min-nodes", "--reboot",
          "--thread-spec=1", "--tres-per-task=cpu:1", "--ntasks-per-gpu=1", "--gpu-bind=none", "--gpu-freq=high",
          "--cluster-constraint=foo", "--test-only", "--parsable", "-Q", "--quiet", "-v",
          "--bogus-option", "--bogus-option=1", "-t", "-J", "--version", "-V", "--usage", "--ignore-pbs",
          "--kill-on-invalid-dep=no", "--spread-job -N 1", "--exclusive --mem=100", "-c 2 --mem-per-cpu=100"]:
    s(o, show=o.startswith(("-t", "--time", "-n", "-c", "--mem", "--exclusive", "-d", "--dependency", "-a ", "--array=1-5",
                             "-w", "-x", "--begin", "-N", "--comment", "--nice", "--requeue", "--no-requeue", "-H",
                             "--mail", "-o", "-e", "-D", "--open-mode", "-C", "--priority", "--signal")))
for i, (o, show, script) in enumerate(sb):
    cid = "sbatch." + (o.strip("-").replace(" ", "_").replace("/", "_").replace("$", "") or "plain")
    c(cid, ("sbatch " + o + " " + script).replace("  ", " "))
    if show:
        c(cid + ".show", "[ $LAST != 0 ] && scontrol show job $LAST | grep -oE '(JobName|TimeLimit|NumCPUs|NumNodes|NumTasks|"
          "CPUs/Task|MinMemory[A-Za-z]*|OverSubscribe|Dependency|ReqNodeList|ExcNodeList|StartTime|Comment|Priority|Nice|"
          "Requeue|MailUser|MailType|StdOut|StdErr|WorkDir|Features|JobState|Reason)=[^ ]*'; LAST=0")
for f in ["directives.sh", "baddirective.sh", "badtime.sh", "noshebang.sh", "empty.sh", "/bin/true", "nosuch.sh",
          "envdump.sh extra args", "-J override directives.sh"]:
    c("sbatch.script." + f.replace(" ", "_").replace("/", "_"), "sbatch " + f)
c("sbatch.stdin", "printf '#!/bin/bash\\ntrue\\n' | sbatch")
c("sbatch.stdin.empty", "sbatch < /dev/null")
c("sbatch.wrap.args", "sbatch --wrap true extra")
c("sbatch.noargs", "sbatch")
c("sbatch.env.SBATCH_JOB_NAME", "SBATCH_JOB_NAME=fromenv sbatch --wrap true")
c("sbatch.env.SBATCH_TIMELIMIT", "SBATCH_TIMELIMIT=bogus sbatch --wrap true")
c("sbatch.env.SBATCH_PARTITION", "SBATCH_PARTITION=nope sbatch --wrap true")


# ---------------------------------------------------------------- scancel of running jobs (last: frees CPUs)
c("scancel.running", "scancel $run1")
c("scancel.running.state", "scontrol show job $run1 | grep -oE '(JobState|Reason|ExitCode)=[^ ]*'")
c("scancel.t.pd", "scancel -t PD")
c("scancel.after.squeue", "squeue")
c("scancel.u", "scancel -u root")
c("scancel.after.squeue2", "for i in $(seq 50); do [ $(squeue -h | wc -l) = 0 ] && break; sleep 0.1; done; squeue -h | wc -l")

# ---------------------------------------------------------------- sstat (last: its jobs start on the freed CPUs)
# sst runs one srun step, nostep only its batch script; their ids are kept in files in the work
# directory. The set-up's own scancel changes nothing after scancel.u and frees the CPUs when only
# these cases run (capture-slurm.sh '^sstat\.'). Figures differ from run to run: the cases that compare exactly name stable columns,
# cut the JobID column, keep the header lines, or keep a value's shape with its digits read as N.
SST = "$(cat sst.id)"
NOSTEP = "$(cat nostep.id)"
c("sstat.setup", "scancel -u $(id -un); for i in $(seq 100); do [ -z \"$(squeue -h)\" ] && break; sleep 0.2; done; "
  "sbatch --parsable -J sst --wrap 'srun sleep 300' >sst.id && sbatch --parsable -J nostep --wrap 'sleep 300' >nostep.id; "
  "for i in $(seq 150); do squeue -h -s -o %i | grep -qx \"$(cat sst.id).0\" && break; sleep 0.2; done; sleep 2")
c("sstat.j", "sstat -j " + SST)
c("sstat.j.header", "sstat -j " + SST + " | head -2")
c("sstat.j.jobid", "sstat -j " + SST + " | cut -c1-13")
c("sstat.a", "sstat -a -j " + SST)
c("sstat.a.jobid", "sstat -a -j " + SST + " | cut -c1-13")
c("sstat.allsteps.stable", "sstat --allsteps -j " + SST + " --format=JobID,NTasks,Nodelist")
c("sstat.j.0", "sstat -j " + SST + ".0 --format=JobID,NTasks,Nodelist")
c("sstat.j.batch", "sstat -j " + SST + ".batch --format=JobID,NTasks,Nodelist")
c("sstat.j.5", "sstat -j " + SST + ".5")
c("sstat.j.list", "sstat -j " + SST + ".0," + SST + ".batch -o JobID,NTasks")
c("sstat.p", "sstat -p -j " + SST + " --format=JobID,NTasks,Nodelist")
c("sstat.P", "sstat -P -j " + SST + " --format=JobID,NTasks,Nodelist")
c("sstat.n", "sstat -n -j " + SST + " --format=JobID,NTasks,Nodelist")
c("sstat.o.width", "sstat -j " + SST + " -o JobID%20,NTasks%3,Nodelist%-8")
c("sstat.o.lower", "sstat -j " + SST + " -o jobid,ntasks,maxrssnode,maxrsstask")
c("sstat.o.bogus", "sstat -j " + SST + " -o JobID,nosuchfield")
c("sstat.shape", "sstat -n -P -a -j " + SST + " -o JobID,AveCPU,AveCPUFreq,AveDiskRead,AveDiskWrite,AvePages,AveRSS,AveVMSize,MaxDiskRead,MaxPages,MaxRSS,MaxVMSize,MinCPU,NTasks | sed -E 's/[0-9]+/N/g'")
c("sstat.shape.noconvert", "sstat --noconvert -n -P -a -j " + SST + " -o JobID,AveRSS,AveVMSize,MaxRSS,MaxVMSize,AveDiskRead | sed -E 's/[0-9]+/N/g'")
c("sstat.shape.tres", "sstat -n -P -j " + SST + " -o TRESUsageInAve,TRESUsageInMax,TRESUsageOutAve,ConsumedEnergy,ReqCPUFreq | sed -E 's/[0-9]+/N/g'")
c("sstat.i", "sstat -i -j " + SST)
c("sstat.i.shape", "sstat -i -n -P -a -j " + SST + " | sed -E 's/[0-9]+/N/g'")
c("sstat.nostep", "sstat -j " + NOSTEP)
c("sstat.nostep.a", "sstat -a -j " + NOSTEP + " -o JobID,NTasks,Nodelist")
c("sstat.done", "sstat -j $done")
c("sstat.unknown", "sstat -j 999999")
c("sstat.abc", "sstat -j abc")
c("sstat.noargs", "sstat")
c("sstat.other_user", "runuser -u nobody -- sstat -j " + SST + " -o JobID,NTasks")
c("sstat.e", "sstat -e")
c("sstat.usage", "sstat --usage")
c("sstat.help", "sstat --help")
c("sstat.V", "sstat -V")
c("sstat.bogus", "sstat --bogus")
c("sstat.ended", "scancel " + SST + " " + NOSTEP + "; for i in $(seq 150); do [ -z \"$(squeue -h -j " + SST + ")\" ] && break; sleep 0.2; done; sstat -j " + SST)

seen = set()
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.txt"), "w") as f:
    f.write("# id<TAB>command. Written by gen-cases.py; see run.sh for the set-up and the names.\n")
    for cid, cmd in cases:
        if cid.startswith("@"):
            f.write(cid + "\n")
            continue
        assert cid not in seen, cid
        seen.add(cid)
        f.write(cid + "\t" + cmd + "\n")
print(len(seen))
