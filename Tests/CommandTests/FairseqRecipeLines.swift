/// The `train.py` command lines of the reference repositories' paper recipes, verbatim but joined
/// into one line each: facebookresearch/mega `examples/mega/README.{lra,sc,lm}.md` and
/// renll/SeqBoat `experiment/run_*.sh`. `${DATA}`, `${SAVE}`, `$seed`, `$CHUNK` and `${model}` are
/// the scripts' own variables (`FairseqCommandLineTests` fills them in).
enum FairseqRecipeLines {
  /// (source, arch, chunk the script sets or "" for the README's free choice, command line).
  static let all: [(source: String, arch: String, chunk: String, line: String)] = [
    (
      "facebookresearch/mega examples/mega/README.lra.md", "mega_lra_listop", "",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task lra-text --input-type text --encoder-layers 6 --n-dim 16 --chunk-size \
      $CHUNK --activation-fn 'silu' --attention-activation-fn 'softmax' --norm-type 'layernorm' \
      --sen-rep-type 'mp' --criterion lra_cross_entropy --best-checkpoint-metric accuracy \
      --maximize-best-checkpoint-metric --optimizer adam --lr 0.001 --adam-betas '(0.9, 0.98)' \
      --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.1 --attention-dropout 0.0 --act-dropout 0.0 \
      --weight-decay 0.01 --batch-size 64 --sentence-avg --update-freq 1 --max-update 90000 \
      --max-sentences-valid 256 --lr-scheduler linear_decay --total-num-update 90000 \
      --end-learning-rate 0.0 --warmup-updates 3000 --warmup-init-lr '1e-07' --keep-last-epochs \
      1 --required-batch-size-multiple 1 --save-dir ${SAVE} --log-format simple --log-interval \
      100 --num-workers 0
      """
    ),
    (
      "facebookresearch/mega examples/mega/README.lra.md", "mega_lra_imdb", "",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task lra-text --input-type text --encoder-layers 4 --n-dim 16 --chunk-size \
      ${CHUNK} --activation-fn 'silu' --attention-activation-fn 'softmax' --norm-type \
      'scalenorm' --sen-rep-type 'mp' --criterion lra_cross_entropy --best-checkpoint-metric \
      accuracy --maximize-best-checkpoint-metric --optimizer adam --lr 0.004 --adam-betas '(0.9, \
      0.98)' --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.1 --attention-dropout 0.0 --act-dropout \
      0.0 --weight-decay 0.01 --batch-size 25 --sentence-avg --update-freq 2 --max-update 25000 \
      --required-batch-size-multiple 1 --lr-scheduler linear_decay --total-num-update 25000 \
      --end-learning-rate 0.0 --warmup-updates 10000 --warmup-init-lr '1e-07' --keep-last-epochs \
      1 --max-sentences-valid 100 --save-dir ${SAVE} --log-format simple --log-interval 100 \
      --num-workers 0
      """
    ),
    (
      "facebookresearch/mega examples/mega/README.lra.md", "mega_lra_aan", "",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task lra-text --input-type text --encoder-layers 6 --n-dim 16 --chunk-size \
      $CHUNK --activation-fn 'silu' --attention-activation-fn 'softmax' --norm-type 'scalenorm' \
      --sen-rep-type 'mp' --criterion lra_cross_entropy --best-checkpoint-metric accuracy \
      --maximize-best-checkpoint-metric --optimizer adam --lr 0.003 --adam-betas '(0.9, 0.98)' \
      --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.1 --attention-dropout 0.0 --act-dropout 0.0 \
      --weight-decay 0.04 --batch-size 8 --sentence-avg --update-freq 8 --max-update 91960 \
      --lr-scheduler linear_decay --total-num-update 91960 --end-learning-rate 0.0 \
      --warmup-updates 10000 --warmup-init-lr '1e-07' --keep-last-epochs 1 --max-sentences-valid \
      64 --save-dir ${SAVE} --log-format simple --log-interval 100 --num-workers 0
      """
    ),
    (
      "facebookresearch/mega examples/mega/README.lra.md", "mega_lra_cifar10", "",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task lra-image --input-type image --pixel-normalization 0.48 0.24 \
      --encoder-layers 8 --n-dim 16 --chunk-size ${CHUNK} --activation-fn 'silu' \
      --attention-activation-fn 'laplace' --norm-type 'batchnorm' --sen-rep-type 'mp' \
      --encoder-normalize-before --criterion lra_cross_entropy --best-checkpoint-metric accuracy \
      --maximize-best-checkpoint-metric --optimizer adam --lr 0.01 --adam-betas '(0.9, 0.98)' \
      --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.0 --attention-dropout 0.0 --act-dropout 0.0 \
      --weight-decay 0.02 --batch-size 50 --sentence-avg --update-freq 1 --max-update 180000 \
      --lr-scheduler linear_decay --total-num-update 180000 --end-learning-rate 0.0 \
      --warmup-updates 9000 --warmup-init-lr '1e-07' --keep-last-epochs 1 \
      --required-batch-size-multiple 1 --save-dir ${SAVE} --log-format simple --log-interval 100 \
      --num-workers 0
      """
    ),
    (
      "facebookresearch/mega examples/mega/README.lra.md", "mega_lra_pf32", "",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task lra-image --input-type image --pixel-normalization 0.5 0.5 \
      --encoder-layers 6 --n-dim 16 --chunk-size ${CHUNK} --activation-fn 'silu' \
      --attention-activation-fn 'laplace' --norm-type 'batchnorm' --sen-rep-type 'mp' \
      --encoder-normalize-before --criterion lra_cross_entropy --best-checkpoint-metric accuracy \
      --maximize-best-checkpoint-metric --optimizer adam --lr 0.01 --adam-betas '(0.9, 0.98)' \
      --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.0 --attention-dropout 0.0 --act-dropout 0.0 \
      --weight-decay 0.01 --batch-size 128 --sentence-avg --update-freq 1 --max-update 250000 \
      --lr-scheduler linear_decay --total-num-update 250000 --end-learning-rate 0.0 \
      --warmup-updates 50000 --warmup-init-lr '1e-07' --keep-last-epochs 1 --max-sentences-valid \
      512 --save-dir ${SAVE} --log-format simple --log-interval 100 --num-workers 0
      """
    ),
    (
      "facebookresearch/mega examples/mega/README.lra.md", "mega_lra_pf128", "",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task lra-image --input-type image --pixel-normalization 0.5 0.5 \
      --encoder-layers 4 --n-dim 16 --chunk-size ${CHUNK} --activation-fn 'silu' \
      --attention-activation-fn 'laplace' --norm-type 'syncbatchnorm' --sen-rep-type 'mp' \
      --encoder-normalize-before --criterion lra_cross_entropy --best-checkpoint-metric accuracy \
      --maximize-best-checkpoint-metric --optimizer adam --lr 0.01 --adam-betas '(0.9, 0.98)' \
      --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.0 --attention-dropout 0.0 --act-dropout 0.0 \
      --weight-decay 0.01 --batch-size 2 --sentence-avg --update-freq 8 --max-update 125000 \
      --lr-scheduler linear_decay --total-num-update 125000 --end-learning-rate 0.0 \
      --warmup-updates 25000 --warmup-init-lr '1e-07' --warmup-power 2 --keep-last-epochs 1 \
      --max-sentences-valid 12 --save-dir ${SAVE} --log-format simple --log-interval 100 \
      --num-workers 0
      """
    ),
    (
      "facebookresearch/mega examples/mega/README.sc.md", "mega_sc_raw_base", "1000",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task speech_commands --encoder-normalize-before --criterion lra_cross_entropy \
      --best-checkpoint-metric accuracy --maximize-best-checkpoint-metric --optimizer adam --lr \
      0.01 --adam-betas '(0.9, 0.98)' --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.0 \
      --attention-dropout 0.0 --act-dropout 0.0 --weight-decay 0.01 --batch-size 20 \
      --sentence-avg --update-freq 1 --max-update 250000 --lr-scheduler linear_decay \
      --total-num-update 250000 --end-learning-rate 0.0 --warmup-updates 10000 --warmup-init-lr \
      '1e-07' --keep-last-epochs 1 --required-batch-size-multiple 1 --save-dir ${SAVE} \
      --log-format simple --log-interval 100 --num-workers 0 --sentence-class-num 10 \
      --max-positions 16000 --sc-dropped-rate 0.
      """
    ),
    (
      "facebookresearch/mega examples/mega/README.sc.md", "mega_sc_raw_big", "1000",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task speech_commands --encoder-normalize-before --criterion lra_cross_entropy \
      --best-checkpoint-metric accuracy --maximize-best-checkpoint-metric --optimizer adam --lr \
      0.008 --adam-betas '(0.9, 0.98)' --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.0 \
      --attention-dropout 0.0 --act-dropout 0.0 --weight-decay 0.01 --batch-size 20 \
      --sentence-avg --update-freq 1 --max-update 250000 --lr-scheduler linear_decay \
      --total-num-update 250000 --end-learning-rate 0.0 --warmup-updates 10000 --warmup-init-lr \
      '1e-07' --keep-last-epochs 1 --required-batch-size-multiple 1 --save-dir ${SAVE} \
      --log-format simple --log-interval 100 --num-workers 0 --sentence-class-num 10 \
      --max-positions 16000 --sc-dropped-rate 0.
      """
    ),
    (
      "facebookresearch/mega examples/mega/README.lm.md", "mega_lm_adaptive_big", "",
      """
      python -u train.py ${DATA} --seed ${seed} --ddp-backend no_c10d --max-target-positions \
      8096 --decoder-hidden-dim 2048 --valid-subset valid --task language_modeling -a \
      \"mega_lm_adaptive_big\" --activation-fn 'silu' --attention-activation-fn 'softmax' \
      --decoder-n-dim 16 --decoder-chunk-size 1024 --normalize-before --no-affine-final-norm \
      --max-tokens 6144 --update-freq 1 --variant-block-multiple-min 2 \
      --variant-block-multiple-max 6 --normalization-type 'layernorm' --truncation-length 8192 \
      --rel-pos-bias \"rotary\" --optimizer adam --lr 5e-3 --adam-betas '(0.9, 0.98)' --adam-eps \
      1e-8 --clip-norm 0.25 --lr-scheduler linear_decay --total-num-update 400000 \
      --end-learning-rate 0.0 --warmup-updates 24000 --warmup-init-lr '1e-07' --criterion \
      adaptive_loss --dropout 0.3 --attention-dropout 0.1 --hidden-dropout 0.1 --weight-decay \
      0.1 --max-update 400000 --no-epoch-checkpoints --sample-break-mode 'complete' \
      --valid-block \"splits:10\" --save-dir ${SAVE} --log-format simple --log-interval 100 \
      --num-workers 0
      """
    ),
    (
      "facebookresearch/mega examples/mega/README.lm.md", "mega_lm_enwik8_base", "",
      """
      python -u train.py ${DATA} --seed ${seed} --ddp-backend no_c10d --max-target-positions \
      10384 --valid-subset valid --task language_modeling -a \"mega_lm_enwik8_base\" \
      --activation-fn 'silu' --attention-activation-fn 'softmax' --decoder-n-dim 16 \
      --decoder-chunk-size 2048 --normalize-before --no-affine-final-norm --max-tokens 8192 \
      --update-freq 1 --variant-block-multiple-min 2 --variant-block-multiple-max 4 \
      --normalization-type 'layernorm' --truncation-length 8192 --rel-pos-bias \"rotary\" \
      --optimizer adam --lr 5e-3 --adam-betas '(0.9, 0.98)' --adam-eps 1e-8 --clip-norm 0.25 \
      --lr-scheduler linear_decay --total-num-update 400000 --end-learning-rate 0.0 \
      --warmup-updates 24000 --warmup-init-lr '1e-07' --criterion 'cross_entropy' \
      --share-decoder-input-output-embed --dropout 0.1 --attention-dropout 0.0 --hidden-dropout \
      0.0 --weight-decay 0.1 --max-update 400000 --no-epoch-checkpoints --sample-break-mode \
      'complete' --valid-block \"splits:10\" --save-dir ${SAVE} --log-format simple \
      --log-interval 100 --num-workers 0
      """
    ),
    (
      "renll/SeqBoat experiment/run_lra_aan.sh", "slag_lra_aan", "128",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task lra-text --input-type text --encoder-layers 6 --n-dim 16 --chunk-size \
      $CHUNK --activation-fn 'silu' --attention-activation-fn 'softmax' --norm-type 'scalenorm' \
      --sen-rep-type 'mp' --criterion lra_cross_entropy --best-checkpoint-metric accuracy \
      --maximize-best-checkpoint-metric --optimizer adam --lr 0.003 --adam-betas '(0.9, 0.98)' \
      --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.1 --attention-dropout 0.0 --act-dropout 0.0 \
      --weight-decay 0.04 --batch-size 8 --sentence-avg --update-freq 8 --max-update 91960 \
      --lr-scheduler linear_decay --total-num-update 91960 --end-learning-rate 0.0 \
      --warmup-updates 10000 --warmup-init-lr '1e-07' --keep-last-epochs 1 --use-nli --save-dir \
      ${SAVE} --log-format simple --log-interval 100 --num-workers 0 --encoder-ffn-embed-dim -1 \
      --wandb-project \"SeqBoat\"
      """
    ),
    (
      "renll/SeqBoat experiment/run_lra_image.sh", "slag_lra_cifar10", "128",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task lra-image --input-type image --pixel-normalization 0.48 0.24 \
      --encoder-layers 8 --n-dim 16 --chunk-size ${CHUNK} --encoder-ffn-embed-dim -1 \
      --activation-fn 'silu' --attention-activation-fn 'relu2' --norm-type 'batchnorm' \
      --sen-rep-type 'mp' --criterion lra_cross_entropy --best-checkpoint-metric accuracy \
      --maximize-best-checkpoint-metric --optimizer adam --lr 0.01 --adam-betas '(0.9, 0.98)' \
      --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.0 --attention-dropout 0.0 --act-dropout 0.0 \
      --weight-decay 0.02 --batch-size 50 --sentence-avg --update-freq 1 --max-update 180000 \
      --encoder-normalize-before --init-temp-scale 0.4 --add-apos --lr-scheduler linear_decay \
      --total-num-update 180000 --end-learning-rate 0.0 --warmup-updates 9000 --warmup-init-lr \
      '1e-07' --keep-last-epochs 1 --required-batch-size-multiple 1 --save-dir ${SAVE} \
      --log-format simple --log-interval 100 --num-workers 0 --wandb-project \"SeqBoat\"
      """
    ),
    (
      "renll/SeqBoat experiment/run_lra_listop.sh", "slag_lra_listop", "128",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task lra-text --input-type text --encoder-layers 6 --n-dim 16 --chunk-size \
      $CHUNK --activation-fn 'silu' --attention-activation-fn 'softmax' --norm-type 'layernorm' \
      --sen-rep-type 'mp' --criterion lra_cross_entropy --best-checkpoint-metric accuracy \
      --maximize-best-checkpoint-metric --optimizer adam --lr 0.004 --adam-betas '(0.9, 0.98)' \
      --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.1 --attention-dropout 0.0 --act-dropout 0.0 \
      --weight-decay 0.001 --batch-size 64 --sentence-avg --update-freq 1 --max-update 90000 \
      --lr-scheduler linear_decay --total-num-update 90000 --end-learning-rate 0.0 \
      --warmup-updates 27000 --warmup-init-lr '1e-07' --init-temp-scale 0.3 --keep-last-epochs 1 \
      --required-batch-size-multiple 1 --save-dir ${SAVE} --log-format simple --log-interval 100 \
      --num-workers 0 --encoder-ffn-embed-dim -1 --wandb-project \"SeqBoat\"
      """
    ),
    (
      "renll/SeqBoat experiment/run_lra_path.sh", "slag_lra_pf32", "128",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task lra-image --input-type image --pixel-normalization 0.5 0.5 \
      --encoder-layers 6 --n-dim 16 --chunk-size ${CHUNK} --activation-fn 'silu' \
      --attention-activation-fn 'relu2' --norm-type 'batchnorm' --sen-rep-type 'mp' \
      --encoder-normalize-before --criterion lra_cross_entropy --best-checkpoint-metric accuracy \
      --maximize-best-checkpoint-metric --optimizer adam --lr 0.01 --adam-betas '(0.9, 0.98)' \
      --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.0 --attention-dropout 0.0 --act-dropout 0.0 \
      --weight-decay 0.01 --batch-size 128 --sentence-avg --update-freq 1 --max-update 250000 \
      --lr-scheduler linear_decay --total-num-update 250000 --end-learning-rate 0.0 \
      --warmup-updates 50000 --warmup-init-lr '1e-07' --keep-last-epochs 1 --save-dir ${SAVE} \
      --log-format simple --log-interval 100 --num-workers 0 --encoder-ffn-embed-dim -1 \
      --init-temp-scale 1.0 --add-apos --wandb-project \"SeqBoat\"
      """
    ),
    (
      "renll/SeqBoat experiment/run_lra_pathx.sh", "slag_lra_pf128_base", "256",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task lra-image --input-type image --pixel-normalization 0.5 0.5 \
      --encoder-layers 4 --n-dim 16 --chunk-size ${CHUNK} --activation-fn 'silu' \
      --attention-activation-fn 'relu2' --norm-type 'syncbatchnorm' --sen-rep-type 'mp' \
      --encoder-normalize-before --criterion lra_cross_entropy --best-checkpoint-metric accuracy \
      --maximize-best-checkpoint-metric --optimizer adam --lr 0.01 --adam-betas '(0.9, 0.98)' \
      --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.0 --attention-dropout 0.0 --act-dropout 0.0 \
      --weight-decay 0.01 --batch-size 2 --sentence-avg --update-freq 8 --max-update 125000 \
      --lr-scheduler linear_decay --total-num-update 125000 --end-learning-rate 0.0 \
      --warmup-updates 25000 --warmup-init-lr '1e-07' --warmup-power 2 --keep-last-epochs 1 \
      --save-dir ${SAVE} --log-format simple --log-interval 100 --num-workers 0 \
      --encoder-ffn-embed-dim -1 --init-temp-scale 1.0 --add-apos --wandb-project \"SeqBoat\"
      """
    ),
    (
      "renll/SeqBoat experiment/run_lra_text.sh", "slag_lra_imdb", "128",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task lra-text --input-type text --encoder-layers 4 --n-dim 16 --chunk-size \
      ${CHUNK} --activation-fn 'silu' --attention-activation-fn 'softmax' --norm-type \
      'scalenorm' --sen-rep-type 'mp' --criterion lra_cross_entropy --best-checkpoint-metric \
      accuracy --maximize-best-checkpoint-metric --optimizer adam --lr 0.004 --adam-betas '(0.9, \
      0.98)' --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.1 --attention-dropout 0.0 --act-dropout \
      0.0 --weight-decay 0.01 --batch-size 50 --sentence-avg --update-freq 1 --max-update 25000 \
      --required-batch-size-multiple 1 --lr-scheduler linear_decay --total-num-update 25000 \
      --end-learning-rate 0.0 --warmup-updates 10000 --warmup-init-lr '1e-07' --init-temp-scale \
      0.3 --keep-last-epochs 1 --save-dir ${SAVE} --log-format simple --log-interval 100 \
      --num-workers 0 --local-pos --encoder-ffn-embed-dim -1 --wandb-project \"SeqBoat\"
      """
    ),
    (
      "renll/SeqBoat experiment/run_sc.sh", "slag_sc_raw_base", "",
      """
      python -u train.py ${DATA} --seed $seed --ddp-backend c10d --find-unused-parameters -a \
      ${model} --task speech_commands --encoder-normalize-before --criterion lra_cross_entropy \
      --best-checkpoint-metric accuracy --maximize-best-checkpoint-metric --optimizer adam --lr \
      0.01 --adam-betas '(0.9, 0.98)' --adam-eps 1e-8 --clip-norm 1.0 --dropout 0.0 \
      --attention-dropout 0.0 --act-dropout 0.0 --weight-decay 0.01 --batch-size 20 \
      --sentence-avg --update-freq 1 --max-update 250000 --lr-scheduler linear_decay \
      --total-num-update 250000 --end-learning-rate 0.0 --warmup-updates 10000 --warmup-init-lr \
      '1e-07' --keep-last-epochs 1 --required-batch-size-multiple 1 --save-dir ${SAVE} \
      --log-format simple --log-interval 100 --num-workers 0 --sentence-class-num 10 \
      --max-positions 16000 --sc-dropped-rate 0. --act-bias 0 --truncation-length 4000 \
      --chunk-size 128 --init-temp-scale 1.0 --encoder-ffn-embed-dim -1 \
      --attention-activation-fn 'relu2' --rel-pos-bias 'simple' --local-pos --wandb-project \
      \"SeqBoat\"
      """
    ),
  ]
}
