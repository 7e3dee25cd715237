import CHDF5

/// Process-wide HDF5 setup: automatic printing of the error stack is switched off once, so a bad
/// file yields our one-line `HDF5Error` instead of a multi-line dump on stderr.
enum HDF5Library {
  /// Evaluated once, on first use, thread-safely (a global `let`).
  static let ready: Bool = {
    H5open() >= 0 && H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil) >= 0
  }()

  /// Makes sure the library is initialised and silent.
  static func prepare() {
    _ = ready
  }
}
