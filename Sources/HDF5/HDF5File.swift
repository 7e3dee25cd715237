import CHDF5

#if canImport(Glibc)
  import Glibc
#endif

/// An open HDF5 file. Groups and datasets opened from it keep it alive; it is closed by
/// `close()` or when the last reference goes away.
public final class HDF5File {
  /// The path the file was opened or created with (used in every error message).
  public let path: String
  /// The HDF5 file id.
  public let id: hid_t
  private var isOpen = true

  private init(path: String, id: hid_t) {
    self.path = path
    self.id = id
  }

  deinit {
    if isOpen { H5Fclose(id) }
  }

  /// Opens an existing file read-only, or for update with `writable`. File locking is off (ranks
  /// only read; NFS/Lustre safe).
  public static func open(_ path: String, writable: Bool = false) throws -> HDF5File {
    HDF5Library.prepare()
    guard access(path, F_OK) == 0 else { throw HDF5Error(file: path, path: "/", "file not found") }
    guard access(path, R_OK) == 0 else { throw HDF5Error(file: path, path: "/", "not readable") }
    guard H5Fis_hdf5(path) > 0 else {
      throw HDF5Error(file: path, path: "/", "not an HDF5 file")
    }
    let fapl = H5Pcreate(chdf5_p_file_access())
    defer { H5Pclose(fapl) }
    H5Pset_file_locking(fapl, false, true)
    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG)
    let id = H5Fopen(path, writable ? chdf5_acc_rdwr() : chdf5_acc_rdonly(), fapl)
    guard id >= 0 else { throw HDF5Error(file: path, path: "/", "cannot open (corrupted file?)") }
    return HDF5File(path: path, id: id)
  }

  /// Creates a file, replacing any file at `path`; with `exclusive`, fails instead when anything
  /// (a file, a symbolic link) is already there (`H5F_ACC_EXCL`, an `O_EXCL` open).
  public static func create(_ path: String, exclusive: Bool = false) throws -> HDF5File {
    HDF5Library.prepare()
    let fapl = H5Pcreate(chdf5_p_file_access())
    defer { H5Pclose(fapl) }
    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG)
    let mode = exclusive ? chdf5_acc_excl() : chdf5_acc_trunc()
    let id = H5Fcreate(path, mode, hid_t(H5P_DEFAULT), fapl)
    guard id >= 0 else {
      throw HDF5Error(file: path, path: "/", exclusive ? "already exists" : "cannot create file")
    }
    return HDF5File(path: path, id: id)
  }

  /// The root group `/`.
  public func root() throws -> HDF5Group { try HDF5Group.open(in: self, path: "/") }

  /// Flushes everything to disk and closes the file, together with every group, dataset and
  /// attribute still open from it (they must not be used afterwards).
  public func close() throws {
    guard isOpen else { return }
    isOpen = false
    let flushed = H5Fflush(id, H5F_SCOPE_GLOBAL)
    let closed = H5Fclose(id)
    guard flushed >= 0, closed >= 0 else {
      throw HDF5Error(file: path, path: "/", "cannot flush and close")
    }
  }
}
