import CHDF5

/// A Swift scalar type that HDF5 can read into and write from (its native memory type).
public protocol HDF5Element {
  /// The HDF5 native type id of this Swift type.
  static var nativeType: hid_t { get }
  /// The zero value, used to allocate read buffers.
  static var zero: Self { get }
}

extension Float: HDF5Element {
  /// `H5T_NATIVE_FLOAT`.
  public static var nativeType: hid_t { chdf5_native_float() }
}

extension Double: HDF5Element {
  /// `H5T_NATIVE_DOUBLE`.
  public static var nativeType: hid_t { chdf5_native_double() }
}

extension Int64: HDF5Element {
  /// `H5T_NATIVE_INT64`.
  public static var nativeType: hid_t { chdf5_native_int64() }
}

extension Int32: HDF5Element {
  /// `H5T_NATIVE_INT32`.
  public static var nativeType: hid_t { chdf5_native_int32() }
}

extension Int16: HDF5Element {
  /// `H5T_NATIVE_INT16`.
  public static var nativeType: hid_t { chdf5_native_int16() }
}

extension Int8: HDF5Element {
  /// `H5T_NATIVE_INT8`.
  public static var nativeType: hid_t { chdf5_native_int8() }
}

extension UInt16: HDF5Element {
  /// `H5T_NATIVE_UINT16`.
  public static var nativeType: hid_t { chdf5_native_uint16() }
}

extension UInt8: HDF5Element {
  /// `H5T_NATIVE_UINT8`.
  public static var nativeType: hid_t { chdf5_native_uint8() }
}

/// The class of the values stored in a dataset or attribute.
public enum HDF5ElementClass: Equatable, CustomStringConvertible {
  /// Integers of `size` bytes, signed or not.
  case integer(size: Int, signed: Bool)
  /// IEEE floating point of `size` bytes.
  case float(size: Int)
  /// Fixed- or variable-length strings.
  case string
  /// Anything else (compound, enum, opaque, ...).
  case other

  /// A short name such as `int32`, `uint16`, `float64`.
  public var description: String {
    switch self {
    case .integer(let size, let signed): return "\(signed ? "" : "u")int\(size * 8)"
    case .float(let size): return "float\(size * 8)"
    case .string: return "string"
    case .other: return "other"
    }
  }

  /// Whether the values are integers or floats (numbers a numeric read can convert).
  public var isNumeric: Bool {
    switch self {
    case .integer, .float: return true
    case .string, .other: return false
    }
  }

  /// The class of the HDF5 type `type`.
  init(type: hid_t) {
    let size = H5Tget_size(type)
    switch H5Tget_class(type) {
    case H5T_INTEGER: self = .integer(size: size, signed: H5Tget_sign(type) == H5T_SGN_2)
    case H5T_FLOAT: self = .float(size: size)
    case H5T_STRING: self = .string
    default: self = .other
    }
  }
}
