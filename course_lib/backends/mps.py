"""``torch.backends.mps``: Apple's Metal GPUs. course_lib has no such backend."""


def is_available() -> bool:
    """False: course_lib cannot compute on an Apple GPU."""
    return False


def is_built() -> bool:
    """False: course_lib was not built with Metal support."""
    return False
