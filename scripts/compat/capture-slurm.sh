#!/bin/bash
# Captures real Slurm 22.05's answers to every case in cases.txt into
# e2e/src/test/resources/compat/slurm-22.05.txt, the fixture CompatIT compares Motley with.
#
# Needs Debian's Slurm on this host for the duration only:
#   apt-get install -y slurm-wlm munge
#   scripts/compat/capture-slurm.sh
#   apt-get purge -y --autoremove slurm-wlm slurmctld slurmd slurm-client munge 'slurm-wlm-*'
# (Debian's Slurm puts sbatch, srun, squeue ... into /usr/bin, where Motley's tests must not find them.)
# Slurm is brought up with ../shared/reference/slurm/up.sh's configuration plus FirstJobId=7001, from
# an empty state directory, so that job ids are 7001 and up as they are for Motley in CompatIT.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
ref=${SLURM_REFERENCE:-/work/shared/reference/slurm}
tmp=$(mktemp -d /tmp/compat-slurm.XXXXXX)
cp "$ref/up.sh" "$ref/slurm.conf" "$tmp/"
echo FirstJobId=7001 >>"$tmp/slurm.conf"
export SLURM_ANCHOR_DIR=$tmp/anchor
bash "$tmp/up.sh"
export SLURM_CONF=$SLURM_ANCHOR_DIR/etc/slurm.conf
trap 'bash "$tmp/up.sh" down' EXIT
mkdir "$tmp/work"
COMPAT_NODE=$(hostname) bash "$here/run.sh" "$repo/e2e/src/test/resources/compat/slurm-22.05.txt" "$tmp/work"
echo "captured $(grep -c '^=== ' "$repo/e2e/src/test/resources/compat/slurm-22.05.txt") cases"
