#!/usr/bin/env bash
# Start munge and a single-node Slurm cluster on loopback, as root. Idempotent.
#
#   .ci/start-slurm.sh DIR          start (or reuse) a cluster whose files live in DIR;
#                                   prints the SLURM_CONF path on stdout
#   .ci/start-slurm.sh --stop DIR   stop that cluster's slurmctld and slurmd (munged stays)
#
# DIR holds slurm.conf, state, spool, logs and pid files. Ports are picked free on first start
# and kept. An already running munged (ours or the system's) is reused. Licences come from
# $CHIPCOMMONS_SLURM_LICENSES (default "simlic:2,synthlic:1").
set -euo pipefail

log() { echo "start-slurm: $*" >&2; }
die() { log "$*"; exit 1; }

stop=0
if [[ "${1:-}" == "--stop" ]]; then stop=1; shift; fi
[[ $# -eq 1 ]] || die "usage: $0 [--stop] DIR"
[[ $(id -u) -eq 0 ]] || die "must run as root"
dir=$(realpath -m "$1")
conf="$dir/slurm.conf"

pid_alive() {  # pid_alive FILE NAME: the pid in FILE is a running NAME
    local pid
    [[ -s "$1" ]] || return 1
    pid=$(cat "$1")
    [[ -n "$pid" && -d "/proc/$pid" ]] || return 1
    grep -q "$2" "/proc/$pid/comm" 2>/dev/null
}

if [[ $stop -eq 1 ]]; then
    for d in slurmd slurmctld; do
        if pid_alive "$dir/$d.pid" "$d"; then
            pid=$(cat "$dir/$d.pid")
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
            [[ -d /proc/$pid ]] && kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$dir/$d.pid"
    done
    exit 0
fi

for tool in munged slurmctld slurmd sinfo scontrol; do
    command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || \
        die "$tool not found (apt-get install slurm-wlm munge)"
done
export PATH="$PATH:/usr/sbin:/sbin"

# --- munge -----------------------------------------------------------------------------------
munge_ok() { munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; }
if ! munge_ok; then
    # a munged that is still starting or shutting down: give it a moment either way
    for _ in $(seq 50); do
        pgrep -x munged >/dev/null || break
        munge_ok && break
        sleep 0.1
    done
fi
if ! munge_ok; then
    install -d -o munge -g munge -m 0755 /run/munge
    install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge /etc/munge
    if [[ ! -s /etc/munge/munge.key ]]; then
        if command -v mungekey >/dev/null; then
            runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key
        else
            dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
        fi
        chown munge:munge /etc/munge/munge.key
        chmod 0400 /etc/munge/munge.key
    fi
    # A stale socket or pid file left by a killed munged blocks a new one.
    if ! pgrep -x munged >/dev/null; then
        rm -f /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock /run/munge/munged.pid
    fi
    pgrep -x munged >/dev/null || runuser -u munge -- munged || die "munged failed to start"
    for _ in $(seq 50); do munge_ok && break; sleep 0.1; done
    munge_ok || die "munge does not work (see /var/log/munge/munged.log)"
fi

# --- configuration ---------------------------------------------------------------------------
mkdir -p "$dir/state" "$dir/spool" "$dir/log"
chmod 0755 "$dir"
node=$(hostname -s)

port_free() {  # nothing listens on TCP port $1 (ss if present, else a connect probe)
    if command -v ss >/dev/null; then
        ! ss -Hltn "sport = :$1" | grep -q .
    else
        ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}
pick_port() {  # pick_port START: first free TCP port from START that is not $2
    local p=$1
    while ! port_free "$p" || [[ "$p" == "${2:-}" ]]; do p=$((p + 1)); done
    echo "$p"
}

running=0
if pid_alive "$dir/slurmctld.pid" slurmctld && pid_alive "$dir/slurmd.pid" slurmd \
        && [[ -s "$conf" ]]; then
    running=1
fi

if [[ $running -eq 0 ]]; then
    ctld_port=""
    d_port=""
    if [[ -s "$conf" ]]; then
        ctld_port=$(sed -n 's/^SlurmctldPort=//p' "$conf")
        d_port=$(sed -n 's/^SlurmdPort=//p' "$conf")
    fi
    if [[ -z "$ctld_port" ]] || ! port_free "$ctld_port"; then
        ctld_port=$(pick_port 16817)
    fi
    if [[ -z "$d_port" ]] || ! port_free "$d_port" || [[ "$d_port" == "$ctld_port" ]]; then
        d_port=$(pick_port $((ctld_port + 1)) "$ctld_port")
    fi
    mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)
    cpus=$(nproc)
    cat >"$conf.tmp" <<EOF
# Written by .ci/start-slurm.sh: a single-node test cluster on loopback.
ClusterName=chipcommons
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
SchedulerParameters=sched_interval=2
MinJobAge=300
KillWait=5
Licenses=${CHIPCOMMONS_SLURM_LICENSES:-simlic:2,synthlic:1}
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
    mv "$conf.tmp" "$conf"
fi
export SLURM_CONF="$conf"

# --- daemons ---------------------------------------------------------------------------------
if ! pid_alive "$dir/slurmctld.pid" slurmctld; then
    rm -f "$dir/slurmctld.pid"
    slurmctld -f "$conf" || die "slurmctld failed (see $dir/log/slurmctld.log)"
fi
for _ in $(seq 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.1; done
scontrol ping 2>/dev/null | grep -q UP || die "slurmctld does not answer (see $dir/log/slurmctld.log)"

if ! pid_alive "$dir/slurmd.pid" slurmd; then
    rm -f "$dir/slurmd.pid"
    slurmd -f "$conf" || die "slurmd failed (see $dir/log/slurmd.log)"
fi

state=""
for _ in $(seq 150); do
    state=$(sinfo -h -n "$node" -o %T 2>/dev/null | head -n1 || true)
    case "$state" in
        idle*|mixed*|allocated*|completing*) break ;;
        down*|drain*|drained*)
            scontrol update NodeName="$node" State=RESUME >/dev/null 2>&1 || true ;;
    esac
    sleep 0.2
done
case "$state" in
    idle*|mixed*|allocated*|completing*) ;;
    *) die "node $node is '$state', not idle (see $dir/log/slurmd.log)" ;;
esac

echo "$conf"
