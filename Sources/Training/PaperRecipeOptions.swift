/// The model options each paper's command line adds to its arch (the Mega READMEs and SeqBoat's
/// `experiment/` scripts, beyond dropout and chunk size, which every job passes itself): with them,
/// `--arch NAME` builds the configuration the paper trained. `jobs/` passes the same words; the
/// benchmarks and parameter counts use them.
public enum PaperRecipeOptions {
  /// The words for preset `arch` (empty for a name without a recipe).
  public static func words(_ arch: String) -> [String] {
    let softmax = ["--attention-activation-fn", "softmax"]
    let laplace = ["--attention-activation-fn", "laplace"]
    let prenorm = ["--encoder-normalize-before"]
    let noFFN = ["--encoder-ffn-embed-dim", "-1"]
    let seqboatPixels = noFFN + prenorm + ["--add-apos"]
    let lm = ["--normalize-before", "--no-affine-final-norm", "--rel-pos-bias", "rotary"]
    switch arch {
    case "mega_lra_listop": return softmax + ["--norm-type", "layernorm"]
    case "mega_lra_imdb": return softmax
    case "mega_lra_aan": return softmax + ["--norm-type", "scalenorm"]
    case "mega_lra_cifar10", "mega_lra_pf32": return laplace + prenorm
    case "mega_lra_pf128": return laplace + prenorm + ["--norm-type", "syncbatchnorm"]
    case "slag_lra_listop": return softmax + noFFN + ["--norm-type", "layernorm"]
    case "slag_lra_imdb": return softmax + noFFN + ["--local-pos"]
    case "slag_lra_aan": return softmax + noFFN + ["--norm-type", "scalenorm", "--use-nli"]
    case "slag_lra_cifar10": return seqboatPixels + ["--init-temp-scale", "0.4"]
    case "slag_lra_pf32": return seqboatPixels + ["--init-temp-scale", "1"]
    case "slag_lra_pf128_base":
      return seqboatPixels
        + ["--init-temp-scale", "1", "--encoder-layers", "4", "--norm-type", "syncbatchnorm"]
    case "slag_sc_raw_base":
      return noFFN + [
        "--attention-activation-fn", "relu2", "--truncation-length", "4000", "--local-pos",
        "--init-temp-scale", "1",
      ]
    case "mega_lm_enwik8_base":
      return lm + [
        "--share-decoder-input-output-embed", "--truncation-length", "8192",
        "--max-target-positions", "10384",
      ]
    case "mega_lm_adaptive_big":
      return lm + ["--truncation-length", "8192", "--max-target-positions", "8096"]
    case "slag_lm_enwik8_base_v2":
      return lm + [
        "--share-decoder-input-output-embed", "--max-target-positions", "10384",
        "--decoder-ffn-embed-dim", "-1", "--init-temp-scale", "1",
      ]
    default: return []
    }
  }
}
