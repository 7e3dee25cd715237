// The Distributed target; see README.md, "Architecture".
