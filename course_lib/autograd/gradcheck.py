"""``gradcheck``: compare autograd's gradients with central finite differences.

Taught in notebooks/02_autograd.ipynb, section "Checking gradients numerically". Only
meaningful in float64: with float32, the rounding error of a finite difference is as large
as the tolerance.
"""

from __future__ import annotations

from typing import Callable, Sequence, Union

from .._tensor import Tensor
from .engine import grad
from .grad_mode import no_grad
from ..ops.creation import zeros


class GradcheckError(RuntimeError):
    """Analytical and numerical gradients differ (the message shows where)."""


def numerical_jacobian(func: Callable[..., Tensor], inputs: Sequence[Tensor], index: int, eps: float) -> Tensor:
    """``d func / d inputs[index]`` by central differences: ``(f(x + eps) - f(x - eps)) / 2 eps``.

    Returns:
        Shape ``(output numel, input numel)``.
    """
    x = inputs[index]
    with no_grad():
        out_numel = func(*inputs).numel()
        jac = zeros(out_numel, x.numel(), dtype=x.dtype)
        flat = x.detach().reshape(-1)  # a view when x is contiguous, which gradcheck ensures
        for j in range(x.numel()):
            original = flat[j].item()
            flat[j] = original + eps
            plus = func(*inputs).detach().reshape(-1).clone()
            flat[j] = original - eps
            minus = func(*inputs).detach().reshape(-1).clone()
            flat[j] = original
            jac[:, j] = (plus - minus) / (2 * eps)
    return jac


def analytical_jacobian(func: Callable[..., Tensor], inputs: Sequence[Tensor], index: int) -> Tensor:
    """``d func / d inputs[index]`` with autograd, one vector-Jacobian product per output element."""
    output = func(*inputs)
    x = inputs[index]
    jac = zeros(output.numel(), x.numel(), dtype=x.dtype)
    for i in range(output.numel()):
        v = zeros(output.numel(), dtype=output.dtype)
        v[i] = 1.0
        (row,) = grad(output, x, v.reshape(output.shape), retain_graph=True, allow_unused=True)
        if row is not None:
            jac[i] = row.reshape(-1)
    return jac


def gradcheck(func: Callable[..., Tensor], inputs: Union[Tensor, Sequence[Tensor]], *, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """True when autograd's gradients of ``func`` match finite differences for every input
    that requires grad (float64 inputs expected, as torch warns).

    Raises:
        GradcheckError: on a mismatch (with ``raise_exception``), naming the input, the
            output and input element, and both values.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    inputs = tuple(t.contiguous() if isinstance(t, Tensor) and not t.is_contiguous() else t for t in inputs)
    for index, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        numeric = numerical_jacobian(func, inputs, index, eps)
        analytic = analytical_jacobian(func, inputs, index)
        bad = ((numeric - analytic).abs() > atol + rtol * numeric.abs())
        if bool(bad.any()):
            i, j = (int(v) for v in bad.nonzero()[0].tolist())
            message = (f"Jacobian mismatch for output {i} with respect to input {index}, element {j}: "
                       f"numerical {numeric[i, j].item():.6g}, analytical {analytic[i, j].item():.6g} "
                       f"(eps={eps}, atol={atol}, rtol={rtol})")
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True
