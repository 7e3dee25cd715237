// The HDF5 target; see README.md, "Architecture".
