#!/usr/bin/env bash
# Starts a real single-node Slurm cluster (munged + slurmctld + slurmd) on this machine, for
# end-to-end tests; `scripts/slurm-local.sh stop` stops it. Must run as root. Debian 12 ships
# Slurm 22.05. No systemd is needed: the daemons are started by hand and fork into the background.
# The config goes to /etc/slurm/slurm.conf, where sbatch, squeue and sinfo look by default.
# SLURM_LOCAL_CPUS sets the CPUs the node offers (default: twice nproc, see NodeName below).
set -euo pipefail

DIR=/var/spool/slurm-local          # state, spool, logs and pid files of this cluster
CONF=/etc/slurm/slurm.conf
NODE=$(hostname -s)                 # slurmd names itself after the short host name
CPUS=${SLURM_LOCAL_CPUS:-$(( $(nproc) * 2 ))}
TIMEOUT=60                          # seconds to wait for the node to become idle

die() { echo "slurm-local: error: $*" >&2; exit 1; }
log_tails() {
    for f in "$DIR/slurmctld.log" "$DIR/slurmd.log" /var/log/munge/munged.log; do
        [ -f "$f" ] && { echo "--- last lines of $f" >&2; tail -n 20 "$f" >&2; }
    done
    return 0
}
# pid NAME: the pid of our daemon NAME, if it runs. A pid file is trusted only if its process
# has the daemon's name (pids are reused after a reboot).
pid() {
    local f=$DIR/$1.pid p
    [ "$1" = munged ] && f=/run/munge/munged.pid
    p=$(cat "$f" 2>/dev/null) && [ "$(cat /proc/"$p"/comm 2>/dev/null)" = "$1" ] && echo "$p"
}
# Usable: all three daemons run (slurmctld notices a dead slurmd only after minutes), the
# controller answers and lists the node as idle (or running jobs).
ready() {
    pid munged >/dev/null && pid slurmctld >/dev/null && pid slurmd >/dev/null || return 1
    [ -f "$CONF" ] && timeout 10 scontrol ping >/dev/null 2>&1 || return 1
    [[ "$(timeout 10 sinfo -h -N -n "$NODE" -o %t 2>/dev/null)" =~ ^(idle|mix|alloc|comp) ]]
}
term() {  # term NAME...: TERM these daemons of ours, KILL those still running after 10 s
    local pids=() name p alive
    for name in "$@"; do p=$(pid "$name") && kill "$p" && pids+=("$p"); done
    for _ in $(seq 50); do
        alive=0
        for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ $alive = 1 ] || return 0
        sleep 0.2
    done
    kill -9 "${pids[@]}" 2>/dev/null || true
}
stop() {
    # Cancel leftover jobs and let them finish first: their slurmstepd would outlive slurmd, and
    # it needs slurmctld and munged to report the end of the job (else slurmd waits for it).
    if [ -f "$CONF" ] && timeout 5 scontrol ping >/dev/null 2>&1; then
        squeue -h -o %i 2>/dev/null | xargs -r scancel 2>/dev/null || true
        for _ in $(seq 50); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.2; done
    fi
    term slurmd slurmctld   # each takes 1-2 s to exit: TERM both at once
    term munged
    rm -f "$DIR"/*.pid
}

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and starts daemons)"
case "${1:-start}" in
    stop) stop; echo "slurm-local: stopped"; exit 0 ;;
    start) ;;
    *) die "usage: $0 [start|stop]" ;;
esac

if ready; then
    echo "slurm-local: cluster already running, node $NODE is up"; sinfo; exit 0
fi

if ! command -v slurmctld slurmd sbatch munged >/dev/null; then
    echo "slurm-local: installing slurm-wlm and munge" >&2
    export DEBIAN_FRONTEND=noninteractive
    # Fresh machines have no package lists, old ones may name removed versions: update then.
    apt_install() { apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null; }
    { ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 && apt_install; } ||
        { apt-get update -qq && apt_install; } || die "could not install slurm-wlm and munge"
fi

# Something half-started (a daemon from an earlier run, a stale config): start over cleanly.
stop
mkdir -p "$DIR/state" "$DIR/spool" /etc/slurm
rm -f "$DIR"/*.log   # so that the log tails shown on failure are of this start

# munge authenticates every Slurm message; the key is made by the package, but check anyway.
if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile=/etc/munge/munge.key
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
# /run/munge is normally made by systemd-tmpfiles, which does not run here.
install -d -o munge -g munge -m 755 /run/munge
runuser -u munge -- /usr/sbin/munged || { log_tails; die "munged did not start"; }
munge -n | unmunge >/dev/null || { log_tails; die "munge does not work"; }

MEM_MB=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) * 9 / 10240 ))   # 90 % of it, in MiB
cat > "$CONF" <<EOF
# Written by scripts/slurm-local.sh: a single-node test cluster, all daemons run as root.
ClusterName=local
# The address is given so that no DNS lookup of the host name is needed.
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
# No cgroups (none are delegated here, and no systemd): track processes by parent pid, no binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
# No mail is sent; an empty MailProg is logged as an error at every start.
MailProg=/bin/true
# Cores are the consumable resource (memory is not), so each task of an array takes one CPU.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Trust the node line below, not the hardware: it may offer more CPUs than the machine has,
# so that the tasks of a small array run at once even on 2 cores.
SlurmdParameters=config_overrides
# A node that was down (e.g. slurmd restarted) comes back as soon as it registers.
ReturnToService=2
# sbatch --wait polls every 2 s only if MinJobAge < 6; else it backs off to 8 s, then 32 s.
# So finished jobs are forgotten after 5 s or so (there is no accounting database either).
MinJobAge=5
# Array jobs are not started on submission but by the next scheduler pass, which by default may
# wait up to 3 s after the last one (batch_sched_delay=3); 0 makes that at most 1 s. It is read
# at the first pass, 3 s after slurmctld starts: a job submitted before still waits for that.
SchedulerParameters=batch_sched_delay=0
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=local Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

# -c: forget jobs and node states of an earlier run.
slurmctld -c || { log_tails; die "slurmctld did not start"; }
slurmd || { log_tails; die "slurmd did not start"; }

for _ in $(seq $(( TIMEOUT * 2 ))); do
    if ready; then
        echo "slurm-local: node $NODE is up ($CPUS CPUs); config $CONF, logs in $DIR"
        echo "slurm-local: no environment is needed: sbatch, squeue, sinfo read $CONF"
        sinfo
        exit 0
    fi
    sleep 0.5
done
log_tails
die "node $NODE not idle after ${TIMEOUT}s: $(sinfo -h -N -o '%N %T %E' 2>&1 || true)"
