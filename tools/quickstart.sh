#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine with the Swift toolchain: installs the system
# packages, builds seqboat, generates a ListOps set, trains a small Mega model on 2 MPI ranks,
# evaluates it and says where the checkpoint, the logs and the curves are.
# Environment: QUICKSTART_DIR (default out/quickstart), QUICKSTART_UPDATES (default 600).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/swift-env.sh
out=${QUICKSTART_DIR:-out/quickstart}
updates=${QUICKSTART_UPDATES:-600}

./tools/install-deps.sh
echo "quickstart: building seqboat (release)"
swift build -c release --product seqboat
seqboat=.build/release/seqboat

mkdir -p "$out"
rm -rf "$out/checkpoints"
echo "quickstart: generating ListOps (4000 train examples, lengths 10..80)"
"$seqboat" prep listops --generate 4000 --min-len 10 --max-len 80 --seed 1 --quiet \
  --out "$out/listops.h5"

mpi=(mpirun -np 2 --oversubscribe -x OPENBLAS_NUM_THREADS=1)
[[ $(id -u) -eq 0 ]] && mpi+=(--allow-run-as-root)
echo "quickstart: training a small Mega model on 2 ranks for $updates updates"
"${mpi[@]}" "$seqboat" train --arch mega_lra_listop --data "$out/listops.h5" \
  --save-dir "$out/checkpoints" --log-file "$out/train.jsonl" \
  --encoder-layers 2 --encoder-embed-dim 64 --encoder-hidden-dim 128 \
  --encoder-ffn-embed-dim 128 --z-dim 32 --dropout 0 \
  --batch-size 32 --lr 0.004 --warmup-updates 50 --weight-decay 0.01 --clip-norm 1 \
  --adam-betas '(0.9, 0.98)' --max-update "$updates" --total-num-update "$updates" \
  --log-interval 25

echo "quickstart: evaluating the best checkpoint on the validation split"
"${mpi[@]}" "$seqboat" eval --checkpoint "$out/checkpoints/checkpoint_best.h5" \
  --data "$out/listops.h5" --split valid | tee "$out/eval.txt"
tools/plot-log.py "$out/train.jsonl" -o "$out/curves.png" || echo "quickstart: no plot (matplotlib?)"

echo "quickstart: checkpoints in $out/checkpoints, training log $out/train.jsonl," \
  "evaluation $out/eval.txt, curves $out/curves.png"
