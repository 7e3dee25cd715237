#!/usr/bin/env bash
# Stops the local SLURM started by tools/slurm-start.sh: cancels its jobs, then stops slurmd,
# slurmctld and munged by their pid files (TERM, then KILL after a deadline). Idempotent: stopping
# a stopped instance succeeds. `--keep-munge` leaves munged running (used on a restart).
# Environment: SEQBOAT_SLURM_DIR (default /tmp/seqboat-slurm).
set -euo pipefail

D=${SEQBOAT_SLURM_DIR:-/tmp/seqboat-slurm}
KEEP_MUNGE=0
[[ ${1:-} == --keep-munge ]] && KEEP_MUNGE=1

say() { echo "slurm-stop: $*" >&2; }

# alive PID NAME: process PID is a running NAME (not a zombie; a stale pid file may name a reused
# pid).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) && [[ $stat == *"($2) "[!Z]* ]]
}

# stop NAME PIDFILE: TERM the process, wait up to 15 s, then KILL it; removes the pid file.
stop() {
  local name=$1 pidfile=$2 pid
  if [[ ! -s $pidfile ]]; then
    return 0
  fi
  pid=$(cat "$pidfile")
  if alive "$pid" "$name"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 75); do
      alive "$pid" "$name" || break
      sleep 0.2
    done
    if alive "$pid" "$name"; then
      say "$name ($pid) ignored TERM; killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
    say "$name stopped"
  fi
  rm -f "$pidfile"
}

if [[ -s $D/slurm.conf && -s $D/slurmctld.pid ]] && alive "$(cat "$D/slurmctld.pid")" slurmctld; then
  export SLURM_CONF=$D/slurm.conf
  # Cancel every job so no job step outlives slurmd; give them a few seconds to go.
  if timeout 10 scancel --full --quiet --user=root 2>/dev/null; then
    for _ in $(seq 50); do
      [[ -z $(timeout 10 squeue -h -t running,completing 2>/dev/null) ]] && break
      sleep 0.2
    done
  fi
fi

stop slurmd "$D/slurmd.pid"
stop slurmctld "$D/slurmctld.pid"
((KEEP_MUNGE)) || stop munged "$D/munge/munged.pid"
exit 0
