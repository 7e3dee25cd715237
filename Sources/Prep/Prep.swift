// The Prep target; see README.md, "Architecture".
