"""``torch.backends.cuda``'s switch for matrix products: ``matmul.allow_tf32``.

TF32 is a format of NVIDIA's tensor cores (since Ampere): float32's 8-bit exponent with a 10-bit mantissa.
A float32 matrix product computed in TF32 is several times faster and agrees with the exact one to about
three decimal digits. torch leaves it off by default (``torch.backends.cuda.matmul.allow_tf32 = False``), and
so does course_lib: its cuda matmul reads this switch at every call. Simulated cuda computes the same products
either way (Triton's interpreter has no tensor cores).
"""


class MatmulSettings:
    """``course_lib.backends.cuda.matmul``: set ``allow_tf32 = True`` to let float32 matmuls use TF32."""

    def __init__(self) -> None:
        self.allow_tf32 = False

    def __repr__(self) -> str:
        return f"MatmulSettings(allow_tf32={self.allow_tf32})"


matmul = MatmulSettings()
"""The switch every cuda matmul reads (False: float32 products in full precision, as torch's default)."""
