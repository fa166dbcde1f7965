# Sourced, as root, inside a private mount namespace (unshare -m --propagation private): installs
# Debian's Slurm 22.05, slurmdbd and munge over overlays of /usr, /etc and /var that vanish with the
# namespace, so that sbatch, srun, squeue ... never reach this host's /usr/bin (where Motley's tests
# must not find them) and nothing needs purging afterwards. Used by scripts/compat/capture-slurm.sh
# and bench/vs-slurm.
#   private_slurm_install DIR          overlays kept under DIR (a tmpfs is mounted there)
#   private_slurm_up DIR [ACCOUNTING]  ../shared/reference/slurm/up.sh's cluster, SLURM_ANCHOR_DIR=DIR/anchor,
#                                      FirstJobId=7001 and any SLURM_EXTRA_CONF lines (each replacing the
#                                      reference's line of the same key); with ACCOUNTING=1
#                                      through slurmdbd on a private MariaDB
#   private_slurm_down DIR
# Reference files: SLURM_REFERENCE (default /work/shared/reference/slurm).

private_slurm_install() {
    local tmp=$1 d
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
    [[ -s /etc/munge/munge.key ]] || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null
    chown munge:munge /etc/munge/munge.key /run/munge
    chmod 400 /etc/munge/munge.key
}

private_slurm_up() {
    local tmp=$1 accounting=${2:-0} ref=${SLURM_REFERENCE:-/work/shared/reference/slurm} _
    local A=$tmp/anchor
    export SLURM_ANCHOR_DIR=$A
    export SLURM_CONF=$A/etc/slurm.conf
    mkdir -p "$A"/{etc,state,spool,run,log}
    cp "$ref/up.sh" "$ref/slurm.conf" "$tmp/"
    echo FirstJobId=7001 >>"$tmp/slurm.conf"
    if [[ -n ${SLURM_EXTRA_CONF:-} ]]; then
        # a line whose key the reference sets replaces that line (JobAcctGatherType=... for sstat)
        local line
        while IFS= read -r line; do
            [[ $line == *=* ]] && sed -i "/^${line%%=*}=/d" "$tmp/slurm.conf"
        done <<<"$SLURM_EXTRA_CONF"
        printf '%s\n' "$SLURM_EXTRA_CONF" >>"$tmp/slurm.conf"
    fi
    runuser -u munge -- /usr/sbin/munged
    if [[ $accounting == 1 ]]; then
        # a private MariaDB for slurmdbd, on its own socket and no TCP port
        mkdir -p "$tmp/db"
        mariadb-install-db --user=root --datadir="$tmp/db" --auth-root-authentication-method=socket >/dev/null
        mariadbd --user=root --datadir="$tmp/db" --socket=/run/mysqld/mysqld.sock --skip-networking \
            --pid-file="$tmp/db/mariadb.pid" --log-error="$tmp/db/error.log" &
        for _ in $(seq 100); do mariadb -S /run/mysqld/mysqld.sock -e 'select 1' >/dev/null 2>&1 && break; sleep 0.2; done
        mariadb -S /run/mysqld/mysqld.sock -e "CREATE USER 'slurm'@'localhost' IDENTIFIED BY 'capture';
            GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';"
        cat >"$A/etc/slurmdbd.conf" <<CONF
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
CONF
        chmod 600 "$A/etc/slurmdbd.conf"
        sed -i 's#^AccountingStorageType=.*#AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost=localhost#' "$tmp/slurm.conf"
        # slurmdbd and sacctmgr read slurm.conf before up.sh writes it; the cluster is registered first
        cp "$tmp/slurm.conf" "$A/etc/slurm.conf"
        sed -i "s#/srv/anchor#$A#g" "$A/etc/slurm.conf"
        slurmdbd -D >"$A/log/slurmdbd.out" 2>&1 &
        for _ in $(seq 100); do sacctmgr -n list cluster >/dev/null 2>&1 && break; sleep 0.2; done
        sacctmgr -i add cluster anchor >/dev/null
    fi
    bash "$tmp/up.sh"
}

private_slurm_down() {
    local tmp=$1 A=$1/anchor
    bash "$tmp/up.sh" down || true
    [[ -f $A/run/slurmdbd.pid ]] && kill "$(cat "$A/run/slurmdbd.pid")" 2>/dev/null || true
    [[ -f $tmp/db/mariadb.pid ]] && kill "$(cat "$tmp/db/mariadb.pid")" 2>/dev/null || true
    [[ -f /run/munge/munged.pid ]] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
    sleep 1
}
