// The Data target; see README.md, "Architecture".
