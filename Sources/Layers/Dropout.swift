import Tensor

/// Inverted dropout (`x·mask/(1−p)`) in train mode, the identity in eval mode or when p = 0.
/// A dropout is a site: its probability and an identifier drawn at construction. Its masks come
/// from the forward context (`ForwardContext.dropoutDraw`), so they follow the pass's key and
/// nothing else.
public struct Dropout {
  /// Probability of zeroing an element.
  public let p: Float
  /// This site's identifier, mixed into the key of each of its masks.
  public let site: UInt64

  /// A dropout of probability `p` at site `site`.
  public init(_ p: Float, site: UInt64) {
    precondition(p >= 0 && p < 1, "dropout probability \(p) outside [0, 1)")
    self.p = p
    self.site = site
  }

  /// The next mask in `ctx` for a tensor of `count` elements, last dimension `width`, laid out
  /// as `layout`, for ops that apply it themselves; nil when dropout is inactive.
  public func draw(_ ctx: ForwardContext, _ layout: DropoutLayout, count: Int, width: Int)
    -> DropoutDraw?
  {
    ctx.dropoutDraw(p: p, site: site, layout: layout, count: count, width: width)
  }

  /// `x` with dropout applied; `layout` says which elements belong to which example.
  public func callAsFunction(_ x: Tensor, _ layout: DropoutLayout, _ ctx: ForwardContext)
    -> Tensor
  {
    callAsFunction(x, layout, after: .linear, ctx)
  }

  /// Dropout of `f(x)`, or of `f` of the columns `range` of x's last dimension, as one op
  /// (`Tensor.activated(_:lastDim:dropout:)`): no mask array, one pass over memory.
  public func callAsFunction(
    _ x: Tensor, _ layout: DropoutLayout, after f: Activation, lastDim range: Range<Int>? = nil,
    _ ctx: ForwardContext
  ) -> Tensor {
    let width = range?.count ?? x.lastDim
    let mask = draw(ctx, layout, count: x.count / max(x.lastDim, 1) * width, width: width)
    if mask == nil && range == nil { return x.activated(f) }
    return x.activated(f, lastDim: range ?? 0..<x.lastDim, dropout: mask)
  }
}
