#!/usr/bin/env bash
# Runs `seqboat bench` and the PyTorch reference (bench_reference.py) back to back on each
# configuration, at 1 and 2 threads, and prints one table row per configuration.
#
#   tools/reference-bench/compare.sh CONFIG...      (or: all)
#
# Environment: SEQBOAT (default .build/release/seqboat), STEPS (5), WARMUP (1), REF_MEGA and
# REF_SEQBOAT (the reference checkouts; bench_reference.py's defaults otherwise), KEEP (a folder
# that keeps the raw outputs).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
seqboat=${SEQBOAT:-.build/release/seqboat}
steps=${STEPS:-5}
warmup=${WARMUP:-1}
all=(mega_listops mega_listops_c128 mega_image mega_sc mega_enwik8 mega_wt103
  seqboat_listops seqboat_image seqboat_sc seqboat_enwik8)

if [ $# -eq 0 ]; then
  echo "usage: $0 CONFIG... | all   (configurations: ${all[*]})" >&2
  exit 2
fi
configs=("$@")
[ "$1" = all ] && configs=("${all[@]}")
for c in "${configs[@]}"; do
  case " ${all[*]} " in
  *" $c "*) ;;
  *)
    echo "compare.sh: '$c' is not a bench configuration (known: ${all[*]})" >&2
    exit 2
    ;;
  esac
done
if [ ! -x "$seqboat" ]; then
  echo "compare.sh: no seqboat binary at $seqboat (set SEQBOAT)" >&2
  exit 2
fi

if [ -n "${KEEP:-}" ]; then
  out=$KEEP
  mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi

ref_args=()
[ -n "${REF_MEGA:-}" ] && ref_args+=(--ref-mega "$REF_MEGA")
[ -n "${REF_SEQBOAT:-}" ] && ref_args+=(--ref-seqboat "$REF_SEQBOAT")

for c in "${configs[@]}"; do
  echo "== $c: seqboat" >&2
  # A seqboat without thread lists refuses `--threads 1,2`: then one run per count.
  if ! "$seqboat" bench --config "$c" --threads 1,2 --steps "$steps" --warmup "$warmup" --json \
    >"$out/$c.ours" 2>"$out/$c.ours.err"; then
    if ! grep -q "'1,2' is invalid for '--threads" "$out/$c.ours.err"; then
      cat "$out/$c.ours.err" >&2
      exit 1
    fi
    : >"$out/$c.ours"
    for n in 1 2; do
      "$seqboat" bench --config "$c" --threads "$n" --steps "$steps" --warmup "$warmup" --json \
        >>"$out/$c.ours"
    done
  fi
  echo "== $c: reference" >&2
  python3 "$here/bench_reference.py" --config "$c" --threads 1,2 --steps "$steps" \
    --warmup "$warmup" --json "${ref_args[@]}" >"$out/$c.ref"
done

python3 "$here/compare_table.py" "$out" "${configs[@]}"
