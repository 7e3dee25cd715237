# shellcheck shell=bash
# Shared launcher for the SLURM batch scripts in jobs/ (sourced, not run). A batch script sets its
# #SBATCH resources and calls
#
#   seqboat_launch RUN_NAME DATA_FILE -- TRAIN_FLAGS...
#
# which runs `$SEQBOAT_BIN train TRAIN_FLAGS... --data ... --save-dir ... --log-file ... --seed ...`
# on every rank of the allocation (srun, or mpirun with SEQBOAT_LAUNCHER=mpirun), one rank per SLURM
# task with SLURM_CPUS_PER_TASK BLAS threads each. See jobs/README.md for the environment variables.
#
# Preemption and time limits: SIGUSR1 (`#SBATCH --signal=B:USR1@N`) or SIGTERM reaching the batch
# shell is passed on to the ranks as SIGUSR1 (mpirun would turn a SIGTERM into a kill); the trainer
# saves checkpoint_last.h5 at the next update boundary and exits with SEQBOAT_EXIT_RESUME (75,
# EX_TEMPFAIL). The launcher then runs `scontrol requeue $SLURM_JOB_ID`; the requeued job starts the
# script from the top and `seqboat train` resumes from checkpoint_last.h5 in the save directory.

# The trainer's "checkpoint saved, resume me" exit status (sysexits.h EX_TEMPFAIL).
SEQBOAT_EXIT_RESUME=75

# Flags that take no value, " --a --b ... ": filled by seqboat_launch from `$SEQBOAT_BIN
# train-switches`, so the list is always the binary's own. Every other flag takes exactly one value.
SEQBOAT_SWITCHES=""

seqboat_log() { echo "seqboat-launch: $*" >&2; }

# A lost node (cut link, dead machine) ends the job within a minute instead of hanging it
# (jobs/README.md, "Several nodes"). Two parts, each overridable from the environment:
# - `seqboat train --collective-timeout` (SEQBOAT_COLLECTIVE_TIMEOUT, 20 s): a rank waiting longer
#   than that in one collective prints one line naming the missing ranks and their hosts, and
#   aborts the job as many seconds later.
# - Open MPI's control channel (mpirun to its daemons): TCP keepalive probes after 5 s idle, every
#   8 s, 3 unanswered ones = daemon lost, 24-29 s after the cut (Open MPI's default: 300 s +
#   9 x 20 s), and mpirun ends the job. That is after the collective timeout's line and before its
#   abort: an abort sent to a daemon not yet known lost makes mpirun wait on it for TCP's
#   retransmission timeout (about 15 minutes), since keepalive probes stop while data is unacked.
# seqboat_fault_settings prints them as NAME=VALUE lines (the multi-node tests use the same values).
seqboat_fault_settings() {
  echo "OMPI_MCA_oob_tcp_keepalive_time=${OMPI_MCA_oob_tcp_keepalive_time:-5}"
  echo "OMPI_MCA_oob_tcp_keepalive_intvl=${OMPI_MCA_oob_tcp_keepalive_intvl:-8}"
  echo "OMPI_MCA_oob_tcp_keepalive_probes=${OMPI_MCA_oob_tcp_keepalive_probes:-3}"
  echo "SEQBOAT_COLLECTIVE_TIMEOUT=${SEQBOAT_COLLECTIVE_TIMEOUT:-20}"
}

# seqboat_set_flags FLAGS...: parses `--flag value`, `--flag=value` and switches into the ordered
# lists SEQBOAT_FLAG_NAMES / SEQBOAT_FLAG_VALUES; a flag already present gets the new value.
seqboat_set_flags() {
  local flag value i
  while (($#)); do
    flag=$1
    shift
    if [[ $flag != --* ]]; then
      seqboat_log "error: expected a --flag, got '$flag'"
      return 1
    fi
    if [[ $flag == *=* ]]; then
      value=${flag#*=}
      flag=${flag%%=*}
    elif [[ $SEQBOAT_SWITCHES == *" $flag "* ]]; then
      value=""
    elif (($#)); then
      value=$1
      shift
    else
      seqboat_log "error: flag $flag has no value"
      return 1
    fi
    for i in "${!SEQBOAT_FLAG_NAMES[@]}"; do
      if [[ ${SEQBOAT_FLAG_NAMES[i]} == "$flag" ]]; then
        SEQBOAT_FLAG_VALUES[i]=$value
        continue 2
      fi
    done
    SEQBOAT_FLAG_NAMES+=("$flag")
    SEQBOAT_FLAG_VALUES+=("$value")
  done
}

# seqboat_flag FLAG: the value of FLAG in the parsed lists (empty if absent).
seqboat_flag() {
  local i
  for i in "${!SEQBOAT_FLAG_NAMES[@]}"; do
    [[ ${SEQBOAT_FLAG_NAMES[i]} == "$1" ]] && printf '%s' "${SEQBOAT_FLAG_VALUES[i]}"
  done
  return 0
}

# seqboat_quote ARGS...: the arguments as one shell-readable line (single quotes only where needed).
seqboat_quote() {
  local arg line=""
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./=:+,@%-]+$ ]]; then
      line+=" $arg"
    else
      line+=" '${arg//\'/\'\\\'\'}'"
    fi
  done
  printf '%s\n' "${line# }"
}

# seqboat_directive SCRIPT NAME: the value of `#SBATCH --NAME=V` (or `--NAME V`; `-n V` for ntasks,
# `-N V` for nodes, `-c V` for cpus-per-task) in the batch script SCRIPT, read up to its first
# command as sbatch does.
seqboat_directive() {
  local line word short
  case $2 in ntasks) short=-n ;; nodes) short=-N ;; cpus-per-task) short=-c ;; *) short="" ;; esac
  while IFS= read -r line; do
    [[ $line == '#!'* || -z ${line// /} ]] && continue
    [[ $line == '#'* ]] || break
    [[ $line == '#SBATCH '* ]] || continue
    read -r -a word <<<"${line#'#SBATCH '}"
    if [[ ${word[0]} == "--$2="* ]]; then
      printf '%s' "${word[0]#*=}"
    elif [[ ${word[0]} == "--$2" || (-n $short && ${word[0]} == "$short") ]]; then
      printf '%s' "${word[1]:-}"
    fi
  done <"$1"
}

# seqboat_script_ranks SCRIPT: the rank count SCRIPT asks for (--ntasks, else --nodes times
# --ntasks-per-node, else one per node), for dry runs outside SLURM; 1 when it asks for none.
seqboat_script_ranks() {
  local ntasks nodes per_node
  ntasks=$(seqboat_directive "$1" ntasks)
  nodes=$(seqboat_directive "$1" nodes)
  per_node=$(seqboat_directive "$1" ntasks-per-node)
  if [[ -n $ntasks ]]; then
    printf '%s' "$ntasks"
  elif [[ $nodes =~ ^[0-9]+$ && $per_node =~ ^[0-9]+$ ]]; then
    printf '%s' "$((nodes * per_node))"
  else
    printf '%s' "${nodes:-1}"
  fi
}

seqboat_launch() {
  if (($# < 3)) || [[ $3 != -- ]]; then
    seqboat_log "usage: seqboat_launch RUN_NAME DATA_FILE -- TRAIN_FLAGS..."
    return 2
  fi
  local run=$1 data_file=$2
  shift 3

  local root
  root=$(cd "${SEQBOAT_ROOT:?}" && pwd) || return 2
  local bin=${SEQBOAT_BIN:-$root/.build/release/seqboat}
  local data=${SEQBOAT_DATA:-${SEQBOAT_DATA_DIR:-$root/data}/$data_file}
  local save=${SEQBOAT_SAVE_DIR:-${SEQBOAT_CKPT_DIR:-$root/checkpoints}/$run}
  local log=${SEQBOAT_LOG_FILE:-$save/train.jsonl}
  local seed=${SEQBOAT_SEED:-1}
  local launcher=${SEQBOAT_LAUNCHER:-srun}
  local ranks=${SLURM_NTASKS:-} threads=${SLURM_CPUS_PER_TASK:-} origin="SLURM"
  if [[ -z $ranks ]]; then
    origin="the script's #SBATCH lines"
    ranks=$(seqboat_script_ranks "$0")
    [[ -z $threads ]] && threads=$(seqboat_directive "$0" cpus-per-task)
  fi
  threads=${threads:-1}

  if [[ ! -x $bin ]]; then
    seqboat_log "error: seqboat binary '$bin' not found or not executable" \
      "(build with 'swift build -c release' or set SEQBOAT_BIN)"
    return 2
  fi
  local switches
  if ! switches=$("$bin" train-switches) || [[ -z $switches ]]; then
    seqboat_log "error: '$bin train-switches' gave no switch list (rebuild the binary)"
    return 2
  fi
  SEQBOAT_SWITCHES=" ${switches//$'\n'/ } "

  SEQBOAT_FLAG_NAMES=()
  SEQBOAT_FLAG_VALUES=()
  local -a extra=()
  read -r -a extra <<<"${SEQBOAT_EXTRA_ARGS:-}"
  [[ -n ${SEQBOAT_UPDATE_FREQ:-} ]] && extra=(--update-freq "$SEQBOAT_UPDATE_FREQ" "${extra[@]}")
  local setting collective_timeout=""
  for setting in $(seqboat_fault_settings); do
    if [[ $setting == SEQBOAT_COLLECTIVE_TIMEOUT=* ]]; then
      collective_timeout=${setting#*=}
    else
      export "${setting?}"
    fi
  done
  local -a cache=()
  [[ -n ${SEQBOAT_DATA_CACHE:-} ]] && cache=(--data-cache "$SEQBOAT_DATA_CACHE")
  seqboat_set_flags "$@" --data "$data" --save-dir "$save" --log-file "$log" --seed "$seed" \
    --collective-timeout "$collective_timeout" "${cache[@]}" || return 2
  seqboat_set_flags "${extra[@]}" || {
    seqboat_log "(in SEQBOAT_EXTRA_ARGS)"
    return 2
  }

  # The global batch is split into update-freq micro-batches, each sliced across the ranks.
  local batch freq
  batch=$(seqboat_flag --batch-size)
  freq=$(seqboat_flag --update-freq)
  freq=${freq:-1}
  local number
  for number in "$ranks" "$freq" "${batch:-1}"; do
    if [[ ! $number =~ ^[1-9][0-9]*$ ]]; then
      seqboat_log "error: ranks (SLURM_NTASKS), --update-freq and --batch-size must be positive" \
        "integers, got '$ranks', '$freq', '${batch:-}'"
      return 2
    fi
  done
  if [[ -n $batch ]] && ((batch % (freq * ranks) != 0)); then
    seqboat_log "error: global --batch-size $batch does not divide into --update-freq $freq" \
      "micro-batches over $ranks ranks (SLURM_NTASKS); choose ranks dividing $((batch / freq))"
    return 2
  fi

  # A value starting with '-' (--chunk-size -1) is attached with '=' so no parser takes it for a flag.
  local -a cmd=("$bin" train)
  local i name value
  for i in "${!SEQBOAT_FLAG_NAMES[@]}"; do
    name=${SEQBOAT_FLAG_NAMES[i]}
    value=${SEQBOAT_FLAG_VALUES[i]}
    if [[ $SEQBOAT_SWITCHES == *" $name "* ]]; then
      cmd+=("$name")
    elif [[ $value == -* ]]; then
      cmd+=("$name=$value")
    else
      cmd+=("$name" "$value")
    fi
  done
  if [[ ${SEQBOAT_DRY_RUN:-0} == 1 ]]; then
    seqboat_log "dry run: $launcher, $ranks ranks x $threads threads (from $origin)"
    seqboat_quote "${cmd[@]}"
    return 0
  fi

  if [[ -z ${SLURM_JOB_ID:-} ]]; then
    seqboat_log "error: not inside a SLURM job; submit with sbatch (or SEQBOAT_DRY_RUN=1)"
    return 2
  fi
  if [[ ! -f $data ]]; then
    seqboat_log "error: data file '$data' not found (set SEQBOAT_DATA or SEQBOAT_DATA_DIR)"
    return 2
  fi
  mkdir -p "$save" "$(dirname "$log")"
  seqboat_quote "${cmd[@]}" >"$save/command.txt"

  export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
  local -a prefix
  case $launcher in
    srun) prefix=(srun --mpi=pmix --ntasks="$ranks" --cpus-per-task="$threads") ;;
    mpirun)
      prefix=(mpirun -np "$ranks" --bind-to none -x OPENBLAS_NUM_THREADS -x OMP_NUM_THREADS)
      if [[ $(id -u) -eq 0 ]]; then
        export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
      fi
      ;;
    *)
      seqboat_log "error: SEQBOAT_LAUNCHER must be srun or mpirun, got '$launcher'"
      return 2
      ;;
  esac

  local restarts=${SLURM_RESTART_COUNT:-0}
  seqboat_log "job $SLURM_JOB_ID (restart $restarts): $launcher, $ranks ranks x $threads threads," \
    "save dir $save"

  local child="" signalled=""
  # shellcheck disable=SC2317  # invoked by the traps below
  seqboat_forward() {
    signalled=$1
    seqboat_log "got SIG$1; asking the ranks to save and stop (SIGUSR1)"
    [[ -n $child ]] && kill -USR1 "$child" 2>/dev/null
  }
  trap 'seqboat_forward USR1' USR1
  trap 'seqboat_forward TERM' TERM

  "${prefix[@]}" "${cmd[@]}" &
  child=$!
  # `wait` returns early (status > 128) whenever a trapped signal arrives; wait again until the
  # launcher has really exited, then collect its status.
  while kill -0 "$child" 2>/dev/null; do
    wait "$child"
  done
  local rc=0
  wait "$child" || rc=$?
  trap - USR1 TERM

  if ((rc == 0)); then
    seqboat_log "training finished"
    return 0
  fi
  if ((rc == SEQBOAT_EXIT_RESUME)) || [[ -n $signalled && $rc -gt 128 ]]; then
    local max=${SEQBOAT_MAX_REQUEUES:-100}
    if ((restarts >= max)); then
      seqboat_log "exit $rc after $restarts restarts (SEQBOAT_MAX_REQUEUES=$max); not requeueing"
      return "$rc"
    fi
    seqboat_log "exit $rc: checkpoint saved; requeueing job $SLURM_JOB_ID"
    if ! scontrol requeue "$SLURM_JOB_ID"; then
      seqboat_log "error: scontrol requeue failed; resubmit the script to resume"
      return "$rc"
    fi
    return 0
  fi
  seqboat_log "training failed with exit status $rc"
  return "$rc"
}
