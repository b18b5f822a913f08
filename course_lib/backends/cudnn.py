"""``torch.backends.cudnn``'s switches, which training scripts set: course_lib has no use for them.

cuDNN is NVIDIA's library of GPU kernels for convolutions; torch picks among its algorithms by timing them
(``benchmark``), which may make runs differ unless ``deterministic`` forbids the non-deterministic ones.
course_lib computes on the cpu with NumPy, whose results are the same run after run, so these are plain
attributes a script may set and read, changing nothing.
"""

enabled = True
"""Whether torch would use cuDNN (ignored by course_lib)."""
deterministic = False
"""Whether torch would use deterministic cuDNN algorithms only (course_lib is always deterministic)."""
benchmark = False
"""Whether torch would time cuDNN's algorithms and keep the fastest (ignored by course_lib)."""
allow_tf32 = True
"""Whether torch would let cuDNN use TF32 on Ampere GPUs (ignored by course_lib)."""


def is_available() -> bool:
    """False: course_lib has no cuDNN."""
    return False
