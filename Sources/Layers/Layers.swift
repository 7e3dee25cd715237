// The Layers target; see README.md, "Architecture".
