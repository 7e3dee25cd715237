// The Training target; see README.md, "Architecture".
