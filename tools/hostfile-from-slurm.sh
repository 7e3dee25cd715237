#!/usr/bin/env bash
# Writes an Open MPI hostfile for the current SLURM allocation, for starting ranks with a launcher
# of your own (mpirun --hostfile FILE, ssh-based tools) instead of srun or mpirun's SLURM support.
#
#   tools/hostfile-from-slurm.sh [FILE]     (standard output without FILE)
#
# One line `HOST slots=N` per node of SLURM_JOB_NODELIST (compressed lists such as node[01-03,07]
# are expanded by `scontrol show hostnames`), N from SLURM_TASKS_PER_NODE (`16(x2),8`: 16 on the
# first two nodes, 8 on the third), else SLURM_NTASKS_PER_NODE, else 1.
set -euo pipefail

die() {
  echo "hostfile-from-slurm.sh: $*" >&2
  exit 1
}

[[ -n ${SLURM_JOB_NODELIST:-} ]] || die "SLURM_JOB_NODELIST is not set (run inside a SLURM job)"
hosts=$(scontrol show hostnames "$SLURM_JOB_NODELIST") ||
  die "scontrol show hostnames '$SLURM_JOB_NODELIST' failed"
mapfile -t hosts <<<"$hosts"

slots=()
if [[ -n ${SLURM_TASKS_PER_NODE:-} ]]; then
  IFS=, read -r -a groups <<<"$SLURM_TASKS_PER_NODE"
  for group in "${groups[@]}"; do
    if [[ $group =~ ^([0-9]+)\(x([0-9]+)\)$ ]]; then
      for ((i = 0; i < BASH_REMATCH[2]; i++)); do slots+=("${BASH_REMATCH[1]}"); done
    elif [[ $group =~ ^[0-9]+$ ]]; then
      slots+=("$group")
    else
      die "SLURM_TASKS_PER_NODE: cannot read '$group' in '$SLURM_TASKS_PER_NODE'"
    fi
  done
  ((${#slots[@]} == ${#hosts[@]})) ||
    die "SLURM_TASKS_PER_NODE '$SLURM_TASKS_PER_NODE' gives ${#slots[@]} nodes," \
      "SLURM_JOB_NODELIST '$SLURM_JOB_NODELIST' ${#hosts[@]}"
else
  per=${SLURM_NTASKS_PER_NODE:-1}
  [[ $per =~ ^[1-9][0-9]*$ ]] || die "SLURM_NTASKS_PER_NODE: not a positive count: '$per'"
  for _ in "${hosts[@]}"; do slots+=("$per"); done
fi

lines=""
for i in "${!hosts[@]}"; do lines+="${hosts[i]} slots=${slots[i]}"$'\n'; done
if (($# > 0)); then
  printf '%s' "$lines" >"$1" || die "$1: cannot write"
else
  printf '%s' "$lines"
fi
