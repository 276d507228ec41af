#!/usr/bin/env bash
# A one-node SLURM cluster on loopback for tests and CI: munged, slurmctld and
# slurmd in the foreground of background jobs (so each PID is known and is
# stopped by PID), no systemd, no cgroups, no accounting.
#
#   tests/cluster/slurm.sh install        apt-get install slurm-wlm and munge when missing (root)
#   tests/cluster/slurm.sh up DIR         start the daemons; state, logs and slurm.conf in DIR
#   tests/cluster/slurm.sh down DIR       stop every daemon `up` started (by PID), wait for them
#   tests/cluster/slurm.sh env DIR        print `export SLURM_CONF=…` for the clients
#
# After `up`, `export SLURM_CONF=DIR/slurm.conf` (or eval "$(… env DIR)") and
# sbatch/squeue/sacct/scancel talk to this cluster. `up` waits until the node
# is idle (at most 30 s) and fails with the daemons' log tail otherwise.
# Facts this relies on: ../shared/docs/cluster-notes.md (Debian 12, SLURM 22.05).
set -euo pipefail

die() {
  echo "slurm.sh: $*" >&2
  exit 1
}

cmd=${1:-}
dir=${2:-}

install_slurm() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null &&
    command -v sbatch >/dev/null; then
    return 0
  fi
  command -v apt-get >/dev/null || die "slurmctld, slurmd, munged or sbatch is missing and apt-get is not available"
  [ "$(id -u)" = 0 ] || die "installing slurm-wlm and munge needs root"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
}

write_conf() {
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  # RealMemory (MB) lets jobs ask for --mem; 90% of the machine's
  mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  cat >"$dir/slurm.conf" <<EOF
ClusterName=fgtest
SlurmctldHost=$host
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
MinJobAge=300
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start_daemons() {
  [ -n "$dir" ] || die "usage: slurm.sh up DIR"
  [ "$(id -u)" = 0 ] || die "starting a one-node cluster needs root (munged runs as the munge user)"
  mkdir -p "$dir/state" "$dir/spool"
  dir=$(cd "$dir" && pwd)
  write_conf
  export SLURM_CONF="$dir/slurm.conf"
  # munge: its socket folder must exist and belong to munge; the key comes with the package.
  mkdir -p /run/munge
  chown munge:munge /run/munge
  [ -f /etc/munge/munge.key ] || die "/etc/munge/munge.key is missing (reinstall munge)"
  setpriv --reuid=munge --regid=munge --init-groups munged --foreground >"$dir/munged.log" 2>&1 &
  echo $! >"$dir/munged.daemon-pid"
  for _ in $(seq 50); do
    if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  munge -n | unmunge >/dev/null 2>&1 || die "munged did not start: $(tail -3 "$dir/munged.log")"
  slurmctld -D -f "$SLURM_CONF" >>"$dir/slurmctld.out" 2>&1 &
  echo $! >"$dir/slurmctld.daemon-pid"
  slurmd -D -f "$SLURM_CONF" >>"$dir/slurmd.out" 2>&1 &
  echo $! >"$dir/slurmd.daemon-pid"
  for _ in $(seq 300); do
    state=$(sinfo -h -N -o %T 2>/dev/null | head -1 || true)
    if [ "$state" = idle ]; then
      echo "slurm.sh: one-node cluster up ($(hostname -s), $(nproc) CPUs); export SLURM_CONF=$SLURM_CONF"
      return 0
    fi
    sleep 0.1
  done
  echo "slurm.sh: the node did not become idle (state: ${state:-none})" >&2
  tail -5 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 2>/dev/null || true
  stop_daemons
  exit 1
}

stop_daemons() {
  [ -n "$dir" ] || die "usage: slurm.sh down DIR"
  local name pid
  for name in slurmd slurmctld munged; do
    [ -f "$dir/$name.daemon-pid" ] || continue
    pid=$(cat "$dir/$name.daemon-pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/$name.daemon-pid"
  done
}

case "$cmd" in
install) install_slurm ;;
up) start_daemons ;;
down) stop_daemons ;;
env)
  [ -n "$dir" ] || die "usage: slurm.sh env DIR"
  echo "export SLURM_CONF=$(cd "$dir" && pwd)/slurm.conf"
  ;;
*) die "usage: slurm.sh install | up DIR | down DIR | env DIR" ;;
esac
