// The Optim target; see README.md, "Architecture".
