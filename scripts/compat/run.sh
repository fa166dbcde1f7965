#!/bin/bash
# Runs the compatibility cases (cases.txt beside this script) against whichever sbatch, squeue,
# sinfo, scontrol, scancel and sacct come first on PATH, with the same set-up each time, and
# writes one normalised block per case to OUT. Used to capture real Slurm 22.05's answers
# (scripts/compat/capture-slurm.sh) and, by CompatIT, to run the same cases against Motley.
#
# Usage: run.sh OUT [WORKDIR]     (WORKDIR: an empty directory to submit from; default: a new temp dir)
# Environment: COMPAT_NODE  the cluster's one node name (default: vm)
#              COMPAT_ONLY  a regular expression: run only the cases whose id matches (set-up runs all the same)
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=$(realpath -m "$1")
work=${2:-$(mktemp -d /tmp/compat-work.XXXXXX)}
work=$(cd "$work" && pwd -P)
node=${COMPAT_NODE:-vm}
host=$(hostname)
cd "$work" || exit 2
: >"$out"
declare -A ids=()

# --- normalisation: the same for both sides ---------------------------------------------------
# A process id leading a listpids row (PID JOBID STEPID LOCALID GLOBALID) reads {pid}, in its column.
# A priority/basic value alone on a line (the `.show` cases' grep -o) reads {prio}: it counts the jobs
# accepted before it, so it drifts wherever an earlier submission differs on purpose (intended.txt),
# as job ids do; the full `show job` records keep their exact values.
# A job's account reads {acct} where it is the default: the reference's jobs had no association, so
# Slurm shows (null); Motley charges root's jobs to root, as slurmdbd has them (intended:
# docs/slurm-differences.md#sacct). An account named on purpose (`acct`) stays as it is.
norm() {
    local map=""
    local k
    for k in "${!ids[@]}"; do map+="${ids[$k]}=$k,"; done
    WORK="$work" NODE="$node" HOSTN="$host" MAP="$map" perl -pe '
        BEGIN { %m = map { split /=/ } grep { length } split /,/, $ENV{MAP}; }
        s/^\d+ +(?=7\d\d\d +(batch|extern|\d+) +(\d+|-) +(\d+|-) *$)/{pid}    /;
        s/\Q$ENV{WORK}\E/{work}/g;
        s/\b\Q$ENV{HOSTN}\E\b/{node}/g;
        s/\b\Q$ENV{NODE}\E\b/{node}/g;
        s/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\b/{datetime}/g;
        s/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}\b/{date}/g;
        s/(?<!\d)(7\d\d\d)(?!\d)/exists $m{$1} ? "{$m{$1}}" : "{id}"/ge;
        s/\b(CPULoad|FreeMem|BootTime|SlurmdStartTime|LastBusyTime|RunTime|AllocNode:Sid|SubmitTime|EligibleTime|AccrueTime|LastSchedEval|ResizeTime|SLURM_TASK_PID|SLURM_JOB_START_TIME|SLURM_JOB_END_TIME|SLURM_SUBMIT_HOST|Version|SLURM_PRIO_PROCESS)=\S*/$1={v}/g;
        s/(?<![\d:-])\d:[0-5]\d(?![\d:])/M:SS/g;
        s/^Priority=4294\d{6}$/Priority={prio}/;
        s/\bAccount=(\(null\)|root)(?=\s|$)/Account={acct}/g;
    '
}

# --- helpers ----------------------------------------------------------------------------------
jobid() { grep -oE '[0-9]+' <<<"$1" | tail -1; }
sub() { # sub NAME sbatch-args...: submits, remembers the id under NAME
    local name=$1; shift
    local o
    o=$(sbatch --parsable "$@" 2>&1)
    ids[$name]=$(jobid "${o%%;*}")
    [[ -n ${ids[$name]} ]] || echo "set-up: sbatch $* failed: $o" >&2
    eval "$name=${ids[$name]:-0}"
}
state() { squeue -h -t all -j "$1" -o %T 2>/dev/null | head -1; }
waitfor() { # waitfor ID STATE...
    local id=$1; shift
    local i s
    [[ $id == 0 ]] && return 0 # refused at submit: said already
    for i in $(seq 300); do
        s=$(state "$id")
        for w in "$@"; do [[ $s == "$w" ]] && return 0; done
        sleep 0.2
    done
    echo "set-up: job $id never reached $* (is $s)" >&2
}

# --- set-up ------------------------------------------------------------------------------------
cat >envdump.sh <<'SCRIPT'
#!/bin/bash
#SBATCH -J envdump
env | grep -E '^(SLURM_|SBATCH_|TMPDIR=|HOME=|USER=|LOGNAME=)' | grep -vE '^(SLURM_CONF|SBATCH_EXPORT)=' | sort
SCRIPT
printf '#!/bin/bash\nsleep 3000\n' >sleeper.sh
printf '#!/bin/bash\n#SBATCH -J fromscript\n#SBATCH -t 17\ntrue\n' >directives.sh
printf '#!/bin/bash\n#SBATCH --bogus-option=1\ntrue\n' >baddirective.sh
printf '#!/bin/bash\n#SBATCH --time=notatime\ntrue\n' >badtime.sh
printf 'echo no shebang\n' >noshebang.sh
: >empty.sh

# finished jobs, one at a time so that the order is the same everywhere
sub done -J done --wrap 'true';                       waitfor "$done" COMPLETED
sub fail -J fail --wrap 'exit 3';                     waitfor "$fail" FAILED
sub env1 -o env1.out envdump.sh;                      waitfor "$env1" COMPLETED
sub env2 -o env2.out -n 2 envdump.sh;                 waitfor "$env2" COMPLETED
sub env3 -o env3.out -c 2 --mem=500 envdump.sh;       waitfor "$env3" COMPLETED
sub env4 -o env4.out -J named -t 15 envdump.sh;       waitfor "$env4" COMPLETED
sub env5 -o env5.out --ntasks-per-node=2 envdump.sh;  waitfor "$env5" COMPLETED
sub env6 -o env6.out --exclusive envdump.sh;          waitfor "$env6" COMPLETED
sub env7 -o env7.out -d afterany:$done envdump.sh;    waitfor "$env7" COMPLETED
sub env8 -o env8.out --export=NONE envdump.sh;        waitfor "$env8" COMPLETED
sub env9 -o env9.out --mem-per-cpu=300 envdump.sh;    waitfor "$env9" COMPLETED
sub env10 -o env10.out -N 1 -n 1 --mem=2G envdump.sh; waitfor "$env10" COMPLETED
sub tlim -J tlim -t 16 --wrap 'true';                  waitfor "$tlim" COMPLETED
sub arrd -J arrd --array=1-3 -o arrd-%A_%a.out envdump.sh
for i in $(seq 100); do [[ $(squeue -h -t all -o %T 2>/dev/null | grep -cvE 'COMPLETED|FAILED') == 0 ]] && break; sleep 0.2; done
# sacct orders by submit second first, and within one second plain jobs before arrays: the jobs
# below go into a later second than arrd, as they did under Slurm (slower to run arrd), on any machine
sleep 1
# running: both CPUs taken. squeue's pre-sort puts the later start first, so -S on keys where the two
# tie shows them in the order of their start seconds: under Slurm both started in one second, and
# here they are submitted together at the start of a fresh second so that they do on any machine
python3 -c 'import time; time.sleep(1 - time.time() % 1)'
sub run1 -J run1 --wrap 'sleep 3000'
sub run2 -J run2 -t 10 -o run2.out sleeper.sh
waitfor "$run1" RUNNING; waitfor "$run2" RUNNING
# sacct orders by submit second, and within one second plain jobs before arrays: under Slurm the
# burst below (plain jobs, arrays among them) fell within one second, so it starts at a fresh second
python3 -c 'import time; time.sleep(1 - time.time() % 1)'
# pending, each for its own reason
sub pend1 -J pend1 --wrap 'true'
sub pend2 -J pend2 -t 30 --mem=100 --wrap 'true'
sub held -J held -H --wrap 'true'
sub dep -J dep -d afterok:$run1 --wrap 'true'
sub depfail -J depfail -d afterok:$fail --wrap 'true'
sub begin -J begin --begin=now+1hour --wrap 'true'
sub arr -J arr --array=1-10 --wrap 'true'
sub arrt -J arrt --array=1-20%2 --wrap 'true'
sub canc -J canc --wrap 'true'
scancel "$canc"
sub m1 -J m1 --wrap 'true'
sub m2 -J m2 --wrap 'true'
sub m3 -J m3 -H --wrap 'true'
sub m4 -J m4 --array=1-4 --wrap 'true'
sub m5 -J m5 --wrap 'true'
sleep 2
export done fail env1 env2 env3 env4 env5 env6 env7 env8 env9 env10 tlim arrd run1 run2 pend1 pend2 held dep depfail begin arr arrt canc m1 m2 m3 m4 m5

# --- the cases --------------------------------------------------------------------------------
# Cases between "@parallel" and "@serial" lines look without changing anything: they run
# COMPAT_JOBS at a time. The others run one after another, in order.
blocks=$(mktemp -d /tmp/compat-blocks.XXXXXX)
runcase() { # runcase N ID CMD: writes the case's block to $blocks/N
    local n=$1 id=$2 cmd=$3 rc
    bash -c "$cmd" >"$blocks/$n.o" 2>"$blocks/$n.e" </dev/null
    rc=$?
    {
        printf '=== %s\n$ %s\n' "$id" "$cmd"
        norm <"$blocks/$n.o" | sed 's/^/| /'
        norm <"$blocks/$n.e" | sed 's/^/! /'
        printf 'exit %s\n' "$rc"
    } >"$blocks/$n"
}
LAST=0
parallel=0
n=0
while IFS=$'\t' read -r id cmd; do
    [[ $id == @parallel ]] && { parallel=1; continue; }
    [[ $id == @serial ]] && { wait; parallel=0; continue; }
    [[ -z $id || $id == \#* ]] && continue
    [[ -n ${COMPAT_ONLY:-} && ! $id =~ $COMPAT_ONLY ]] && continue
    n=$((n + 1))
    if ((parallel)); then
        while (($(jobs -rp | wc -l) >= ${COMPAT_JOBS:-4})); do wait -n; done
        runcase "$n" "$id" "$cmd" &
        continue
    fi
    export LAST
    runcase "$n" "$id" "$cmd"
    j=$(jobid "$(grep -oE '^(Submitted batch job [0-9]+|[0-9]+)$' "$blocks/$n.o" | head -1)")
    if [[ -n $j ]]; then LAST=$j; ids[last]=$j; fi
done <"$here/cases.txt"
wait
for ((i = 1; i <= n; i++)); do cat "$blocks/$i" >>"$out"; done
rm -rf "$blocks"

# --- tear-down ------------------------------------------------------------------------------
scancel -u "$(id -un)" >/dev/null 2>&1
echo "work=$work"
