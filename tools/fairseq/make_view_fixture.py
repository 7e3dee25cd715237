#!/usr/bin/env python3
"""Writes Tests/Fixtures/fairseq/views.pt and views.legacy.pt: tensors that are views of shared
storages (a transpose, an offset slice with a stride, a tied alias, an int64 and a float64
tensor), for the unpickler's tests. Needs PyTorch; the suite only reads the files.

Storage `base` holds 0, 1, ..., 23 (float32). Expected contents:
  matrix     = base[0:12].view(3, 4)
  transposed = matrix.t()                  (shape [4, 3], stride [1, 4])
  slice      = base[13:23:3]               (offset 13, stride 3: 13, 16, 19, 22)
  alias      = matrix (the same storage)
  longs      = [-3, 0, 5] (int64), doubles = [0.5, -1.25] (float64)
"""
import collections
import sys
from pathlib import Path

import torch

out = Path(sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/fairseq")
base = torch.arange(24, dtype=torch.float32)
matrix = base[0:12].view(3, 4)
state = collections.OrderedDict(
    matrix=matrix,
    transposed=matrix.t(),
    slice=base[13:23:3],
    alias=matrix,
    longs=torch.tensor([-3, 0, 5], dtype=torch.int64),
    doubles=torch.tensor([0.5, -1.25], dtype=torch.float64),
)
torch.save({"tensors": state, "note": "views"}, out / "views.pt")
torch.save({"tensors": state, "note": "views"}, out / "views.legacy.pt",
           _use_new_zipfile_serialization=False)
