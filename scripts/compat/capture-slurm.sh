#!/bin/bash
# Captures real Slurm 22.05's answers to the cases in cases.txt into
# e2e/src/test/resources/compat/slurm-22.05.txt, the fixture CompatIT compares Motley with.
#
#   scripts/compat/capture-slurm.sh            every case
#   scripts/compat/capture-slurm.sh REGEX      only the cases whose id matches (e.g. '^sacct\.'):
#                                              their blocks replace those in the fixture, the rest stay
#
# Run as root. Slurm is installed into a private mount namespace, over overlays of /usr, /etc and
# /var that vanish when the capture ends: Debian's sbatch, srun, squeue ... never reach this
# host's /usr/bin, where Motley's tests must not find them, and nothing needs purging afterwards.
# Slurm runs with accounting through slurmdbd, on a private MariaDB (a throwaway data directory
# and socket), so that sacct answers as it does on a real site. The cluster is brought up with
# ../shared/reference/slurm/up.sh's configuration plus FirstJobId=7001, from an empty state
# directory, so that job ids are 7001 and up as they are for Motley in CompatIT.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
ref=${SLURM_REFERENCE:-/work/shared/reference/slurm}
fixture=$repo/e2e/src/test/resources/compat/slurm-22.05.txt
only=${1:-}

if [[ -z ${COMPAT_PRIVATE:-} ]]; then
    [[ $(id -u) == 0 ]] || { echo "capture-slurm.sh: run as root (it installs Slurm in a private namespace)" >&2; exit 2; }
    exec env COMPAT_PRIVATE=1 unshare -m --propagation private "$0" "$@"
fi

tmp=$(mktemp -d /tmp/compat-slurm.XXXXXX)
# --- a private /usr, /etc and /var: what apt installs here is gone when the namespace ends ---------
mount -t tmpfs tmpfs "$tmp"
for d in usr etc var; do
    mkdir -p "$tmp/ov/$d/up" "$tmp/ov/$d/work"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$tmp/ov/$d/up,workdir=$tmp/ov/$d/work" "/$d"
done
mkdir -p /run/mysqld /run/munge
mount -t tmpfs tmpfs /run/mysqld
mount -t tmpfs tmpfs /run/munge
if ! command -v slurmctld >/dev/null || ! command -v slurmdbd >/dev/null; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm slurmdbd munge >/dev/null
fi
[[ -s /etc/munge/munge.key ]] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null; }
chown munge:munge /etc/munge/munge.key /run/munge
chmod 400 /etc/munge/munge.key

A=$tmp/anchor
export SLURM_ANCHOR_DIR=$A
mkdir -p "$A"/{etc,state,spool,run,log} "$tmp/db"

# --- a private MariaDB for slurmdbd, on its own socket and no TCP port ---------------------------
mariadb-install-db --user=root --datadir="$tmp/db" --auth-root-authentication-method=socket >/dev/null
mariadbd --user=root --datadir="$tmp/db" --socket=/run/mysqld/mysqld.sock --skip-networking \
    --pid-file="$tmp/db/mariadb.pid" --log-error="$tmp/db/error.log" &
for _ in $(seq 100); do mariadb -S /run/mysqld/mysqld.sock -e 'select 1' >/dev/null 2>&1 && break; sleep 0.2; done
mariadb -S /run/mysqld/mysqld.sock -e "CREATE USER 'slurm'@'localhost' IDENTIFIED BY 'capture';
    GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';"

# --- slurmdbd, then the cluster registered in it ---------------------------------------------------
cat >"$A/etc/slurmdbd.conf" <<EOF
AuthType=auth/munge
DbdHost=localhost
SlurmUser=root
PidFile=$A/run/slurmdbd.pid
LogFile=$A/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=capture
StorageLoc=slurm_acct_db
EOF
chmod 600 "$A/etc/slurmdbd.conf"
runuser -u munge -- /usr/sbin/munged
cp "$ref/up.sh" "$ref/slurm.conf" "$tmp/"
sed -i 's#^AccountingStorageType=.*#AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost=localhost#' "$tmp/slurm.conf"
echo FirstJobId=7001 >>"$tmp/slurm.conf"
export SLURM_CONF=$A/etc/slurm.conf
slurmdbd -D >"$A/log/slurmdbd.out" 2>&1 &
# up.sh writes slurm.conf; sacctmgr needs it to reach slurmdbd before slurmctld starts
mkdir -p "$A/etc" && cp "$tmp/slurm.conf" "$A/etc/slurm.conf"
sed -i "s#/srv/anchor#$A#g" "$A/etc/slurm.conf"
for _ in $(seq 100); do sacctmgr -n list cluster >/dev/null 2>&1 && break; sleep 0.2; done
sacctmgr -i add cluster anchor >/dev/null
finish() {
    bash "$tmp/up.sh" down || true
    [[ -f $A/run/slurmdbd.pid ]] && kill "$(cat "$A/run/slurmdbd.pid")" 2>/dev/null || true
    [[ -f $tmp/db/mariadb.pid ]] && kill "$(cat "$tmp/db/mariadb.pid")" 2>/dev/null || true
    pkill -x munged 2>/dev/null || true
    sleep 1
}
trap finish EXIT
bash "$tmp/up.sh"

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
missing = [k for k in new if k not in old]
if missing:
    sys.exit("cases not in the fixture (capture them all instead): " + ", ".join(missing))
text = []
for k in order:
    b = new.get(k, old[k])
    while b and b[-1] == "":
        b = b[:-1]
    text.extend(b)
open(sys.argv[1], "w", encoding="utf-8").write("\n".join(text) + "\n")
print(f"replaced {len(new)} of {len(order)} cases")
PY
fi
echo "captured $(grep -c '^=== ' "$fixture") cases"
