// The Models target; see README.md, "Architecture".
