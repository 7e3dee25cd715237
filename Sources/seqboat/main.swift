import Tensor
print("seqboat")
