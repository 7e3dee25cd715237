#!/usr/bin/env bash
# Starts a one-node local SLURM for tests and for trying jobs/: munged with a private socket,
# slurmctld and slurmd with a generated slurm.conf, one node `localhost` with this machine's CPU
# count. Everything lives under $SEQBOAT_SLURM_DIR (default /tmp/seqboat-slurm). Idempotent: a
# running instance is reused. Never hangs: every wait has a deadline.
#
# Prints `export SLURM_CONF=...` on stdout, so `eval "$(tools/slurm-start.sh)"` sets up the shell;
# the same line is kept in $SEQBOAT_SLURM_DIR/env.sh. Diagnostics go to stderr.
# Environment: SEQBOAT_SLURM_DIR, SEQBOAT_SLURM_CPUS (default `nproc`),
# SEQBOAT_SLURMCTLD_PORT (6817), SEQBOAT_SLURMD_PORT (6818), SEQBOAT_SLURM_TIMEOUT (30 s).
set -euo pipefail

D=${SEQBOAT_SLURM_DIR:-/tmp/seqboat-slurm}
CPUS=${SEQBOAT_SLURM_CPUS:-$(nproc)}
CTLD_PORT=${SEQBOAT_SLURMCTLD_PORT:-6817}
SLURMD_PORT=${SEQBOAT_SLURMD_PORT:-6818}
TIMEOUT=${SEQBOAT_SLURM_TIMEOUT:-30}
# Credential lifetime; SLURM also holds a requeued job back this long (default 120 s).
CRED_EXPIRE=${SEQBOAT_SLURM_CRED_EXPIRE:-10}
CONF=$D/slurm.conf
SOCKET=$D/munge/munge.socket.2

say() { echo "slurm-start: $*" >&2; }
die() {
  say "error: $*"
  exit 1
}

# alive PIDFILE NAME: the process named in PIDFILE is a running NAME (not a zombie, not a reused
# pid).
alive() {
  local stat
  stat=$(cat "/proc/$(cat "$1" 2>/dev/null)/stat" 2>/dev/null) && [[ $stat == *"($2) "[!Z]* ]]
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds or time runs out.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

[[ $(id -u) -eq 0 ]] || die "must run as root (munged runs as the munge user, slurmd as root)"
for cmd in munged munge unmunge slurmctld slurmd sinfo scontrol runuser; do
  command -v "$cmd" >/dev/null || die "$cmd not found; run tools/install-deps.sh"
done
[[ $CPUS =~ ^[1-9][0-9]*$ ]] || die "SEQBOAT_SLURM_CPUS must be a positive integer, got '$CPUS'"

mkdir -p "$D/state" "$D/spool" "$D/log" "$D/munge"
chmod 755 "$D"

# --- munge: private socket, run as the munge user --------------------------------------------
KEY=/etc/munge/munge.key
if [[ ! -s $KEY ]]; then
  KEY=$D/munge/munge.key
  if [[ ! -s $KEY ]]; then
    dd if=/dev/urandom of="$KEY" bs=1024 count=1 status=none
  fi
fi
chown -R munge:munge "$D/munge"
chmod 755 "$D/munge"
[[ $KEY == /etc/munge/munge.key ]] || chmod 600 "$KEY"

munge_ok() { munge -S "$SOCKET" -n | unmunge -S "$SOCKET"; }
if alive "$D/munge/munged.pid" munged && munge_ok >/dev/null 2>&1; then
  say "munged already running"
else
  rm -f "$SOCKET" "$SOCKET.lock"
  runuser -u munge -- /usr/sbin/munged --socket="$SOCKET" --key-file="$KEY" \
    --pid-file="$D/munge/munged.pid" --log-file="$D/munge/munged.log" \
    --seed-file="$D/munge/munged.seed" ||
    die "munged failed to start; see $D/munge/munged.log"
  wait_for "$TIMEOUT" munge_ok || die "munge credentials do not round-trip; see $D/munge/munged.log"
  say "munged started"
fi

# --- slurm.conf --------------------------------------------------------------------------------
cat >"$CONF.new" <<CONF
ClusterName=seqboat
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCKET,cred_expire=$CRED_EXPIRE
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
JobRequeue=1
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
MailProg=/bin/true
MessageTimeout=10
KillWait=30
MinJobAge=600
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
export SLURM_CONF=$CONF

running=0
if alive "$D/slurmctld.pid" slurmctld && alive "$D/slurmd.pid" slurmd; then
  if cmp -s "$CONF" "$CONF.new"; then
    running=1
  else
    say "configuration changed; restarting the daemons"
  fi
fi
mv "$CONF.new" "$CONF"

node_state() { timeout 15 sinfo -h -n localhost -o %T 2>/dev/null; }
node_idle() { [[ $(node_state) == idle ]]; }

if ((running)); then
  say "slurmctld and slurmd already running"
else
  # A changed or half-started instance (one daemon alive) is stopped first: both start afresh.
  SEQBOAT_SLURM_DIR=$D "$(dirname "$0")/slurm-stop.sh" --keep-munge
  slurmctld -c -f "$CONF" || die "slurmctld failed to start; see $D/log/slurmctld.log"
  wait_for "$TIMEOUT" timeout 10 scontrol ping ||
    die "slurmctld does not answer; see $D/log/slurmctld.log"
  slurmd -f "$CONF" -N localhost || die "slurmd failed to start; see $D/log/slurmd.log"
  say "slurmctld and slurmd started"
fi

if ! wait_for "$TIMEOUT" node_idle; then
  state=$(node_state || true)
  if [[ $state == down* || $state == drain* ]]; then
    timeout 10 scontrol update nodename=localhost state=resume || true
  fi
  wait_for "$TIMEOUT" node_idle ||
    die "node localhost is '$(node_state || true)', not idle; see $D/log/slurmd.log"
fi
say "node localhost idle with $CPUS CPUs"

echo "export SLURM_CONF=$CONF" >"$D/env.sh"
echo "export SLURM_CONF=$CONF"
