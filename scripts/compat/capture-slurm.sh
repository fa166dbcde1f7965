#!/bin/bash
# Captures real Slurm 22.05's answers to the cases in cases.txt into
# e2e/src/test/resources/compat/slurm-22.05.txt, the fixture CompatIT compares Motley with.
#
#   scripts/compat/capture-slurm.sh            every case
#   scripts/compat/capture-slurm.sh REGEX      only the cases whose id matches (e.g. '^sacct\.'):
#                                              their blocks replace those in the fixture (new ones
#                                              go at its end), the rest stay
#   SLURM_EXTRA_CONF='JobAcctGatherType=jobacct_gather/linux' scripts/compat/capture-slurm.sh '^sstat\.'
#                                              the sstat cases: Slurm gathers step usage only with
#                                              that plugin, which the reference leaves off
#
# Run as root. Slurm is installed into a private mount namespace (scripts/slurm/private-slurm.sh):
# Debian's sbatch, srun, squeue ... never reach this host's /usr/bin, where Motley's tests must not
# find them, and nothing needs purging afterwards. Slurm runs with accounting through slurmdbd, on
# a private MariaDB, so that sacct answers as it does on a real site. The cluster is brought up with
# ../shared/reference/slurm/up.sh's configuration plus FirstJobId=7001, from an empty state
# directory, so that job ids are 7001 and up as they are for Motley in CompatIT.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
fixture=$repo/e2e/src/test/resources/compat/slurm-22.05.txt
only=${1:-}

if [[ -z ${COMPAT_PRIVATE:-} ]]; then
    [[ $(id -u) == 0 ]] || { echo "capture-slurm.sh: run as root (it installs Slurm in a private namespace)" >&2; exit 2; }
    exec env COMPAT_PRIVATE=1 unshare -m --propagation private "$0" "$@"
fi

tmp=$(mktemp -d /tmp/compat-slurm.XXXXXX)
chmod 755 "$tmp" # other users' commands (sstat.other_user) read slurm.conf beneath it
. "$repo/scripts/slurm/private-slurm.sh"
private_slurm_install "$tmp"
trap 'private_slurm_down "$tmp"' EXIT
private_slurm_up "$tmp" 1

# --- the cases ----------------------------------------------------------------------------------------
mkdir "$tmp/work"
out=$fixture
[[ -n $only ]] && out=$tmp/only.txt
COMPAT_ONLY=$only COMPAT_NODE=$(hostname) bash "$here/run.sh" "$out" "$tmp/work"
if [[ -n $only ]]; then
    # the new blocks replace the fixture's blocks of the same cases, in place
    python3 - "$fixture" "$out" <<'PY'
import sys
def blocks(path):
    order, out, cur = [], {}, None
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith("=== "):
            cur = line[4:]
            order.append(cur)
            out[cur] = [line]
        elif cur is not None:
            out[cur].append(line)
    return order, out
order, old = blocks(sys.argv[1])
_, new = blocks(sys.argv[2])
for k, v in new.items():
    while v and v[-1] == "":
        v.pop()
# cases new to the fixture go at its end, in cases.txt's order
order += [k for k in new if k not in old]
text = []
for k in order:
    b = new[k] if k in new else old[k]
    while b and b[-1] == "":
        b = b[:-1]
    text.extend(b)
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(text) + "\n")
print(f"replaced {len(new)} of {len(order)} cases")
PY
fi
echo "captured $(grep -c '^=== ' "$fixture") cases"
