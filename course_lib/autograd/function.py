"""Nodes of the backward graph and ``Function``, the way every differentiable op is defined.

Taught in notebooks/02_autograd.ipynb, sections "The graph of grad_fn nodes" and
"Writing a Function". A differentiable op is a subclass of :class:`Function` with two
static methods, side by side (as micrograd and needle pair them):

- ``forward(ctx, *inputs)`` computes the result with chapter-01 tensor code (the graph is
  not recorded inside it) and saves what backward needs with ``ctx.save_for_backward``;
- ``backward(ctx, grad_output)`` returns one gradient per input (``None`` for inputs that
  need none), computed with Tensor operations, so that ``create_graph=True`` can
  differentiate the backward pass again (higher-order gradients).

``Function.apply`` runs forward and, when an input requires grad and grad mode is on,
links a :class:`Node` (the result's ``grad_fn``) to the inputs' nodes.
"""

from __future__ import annotations

import weakref
from typing import Any, List, Optional, Sequence, Tuple

from ..tensor import Tensor
from .grad_mode import is_grad_enabled, no_grad


class Node:
    """A node of the backward graph: one recorded operation (or a leaf's accumulator).

    Attributes:
        next_functions: for each input of the operation, ``(node, 0)`` where ``node`` is the
            input's ``grad_fn`` (or its :class:`AccumulateGrad` for a leaf that requires grad),
            or ``(None, 0)`` for an input that needs no gradient. Same shape as torch's.
    """

    next_functions: Tuple[Tuple[Optional["Node"], int], ...] = ()

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The node of a leaf tensor that requires grad: backward adds the gradient to ``variable.grad``."""

    def __init__(self, variable: Tensor):
        self.variable = variable


class BackwardNode(Node):
    """The ``grad_fn`` of a tensor computed by a :class:`Function`.

    Attributes:
        ctx: what forward saved (``ctx.saved_tensors``...).
        function: the Function subclass; its ``backward`` turns the output's gradient into
            the inputs' gradients.
    """

    def __init__(self, function: type, ctx: "FunctionCtx", next_functions: Tuple):
        self.function = function
        self.ctx = ctx
        self.next_functions = next_functions
        self.tensor_ref: Optional[weakref.ref] = None

    def name(self) -> str:
        return self.function.__name__

    def apply(self, grad_output: Tensor) -> Tuple[Optional[Tensor], ...]:
        """Gradients of the inputs, one per entry of ``next_functions``."""
        if self.ctx.freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors after they "
                "have already been freed). Saved intermediate values of the graph are freed when you call "
                ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
                "graph a second time or if you need to access saved tensors after calling backward.")
        grads = self.function.backward(self.ctx, grad_output)
        if not isinstance(grads, tuple):
            grads = (grads,)
        # One slot per positional forward argument. A rule may stop after its last tensor input
        # (the missing slots are None) or return slots for optional arguments the call did not
        # pass (those must be None).
        count = len(self.next_functions)
        if any(g is not None for g in grads[count:]):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {count}, got {len(grads)})")
        return grads[:count] + (None,) * (count - len(grads))

    def release(self) -> None:
        """Free the saved tensors (after a backward without ``retain_graph``)."""
        self.ctx.free()


class FunctionCtx:
    """What ``forward`` leaves for ``backward``.

    Attributes:
        needs_input_grad: one bool per forward input: does it need a gradient?
    """

    def __init__(self, needs_input_grad: Tuple[bool, ...]):
        self.needs_input_grad = needs_input_grad
        self.freed = False
        self._saved: List[Tuple[Optional[Tensor], int]] = []
        self.output_node: Optional[BackwardNode] = None

    def save_for_backward(self, *tensors: Optional[Tensor]) -> None:
        """Keep ``tensors`` for backward, remembering their version to catch in-place edits."""
        self._saved = [(t, t._version if t is not None else 0) for t in tensors]

    @property
    def saved_tensors(self) -> Tuple[Optional[Tensor], ...]:
        """The saved tensors.

        Raises:
            RuntimeError: if one was modified in place after it was saved (torch's message),
                or the graph was freed by an earlier backward.
        """
        if self.freed:
            raise RuntimeError("Trying to backward through the graph a second time (or directly access saved "
                               "tensors after they have already been freed). Specify retain_graph=True.")
        for tensor, version in self._saved:
            if tensor is not None and tensor._version != version:
                owner = self.output_node.name() if self.output_node else "an operation"
                kind = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor",
                        "bool": "BoolTensor"}.get(tensor.dtype.name, "Tensor")
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [torch.{kind} {list(tensor.shape)}], which is used by {owner}, is at version "
                    f"{tensor._version}; expected version {version} instead. Hint: the operation that failed "
                    "was changed in place after it was used; use an out-of-place version (x = x + 1, not x += 1) "
                    "or .clone() it first.")
        return tuple(tensor for tensor, _ in self._saved)

    def free(self) -> None:
        self._saved = []
        self.freed = True


def needs_grad(*values: Any) -> bool:
    """True when grad mode is on and some value is a Tensor that requires grad."""
    if not is_grad_enabled():
        return False
    for value in values:
        if isinstance(value, Tensor) and value.requires_grad:
            return True
    return False


def edge_of(value: Any) -> Tuple[Optional[Node], int]:
    """The ``next_functions`` entry for one forward input."""
    if not isinstance(value, Tensor) or not value.requires_grad:
        return (None, 0)
    if value.grad_fn is not None:
        return (value.grad_fn, 0)
    node = value.__dict__.get("_accumulator")
    if node is None:  # one accumulator per leaf, so every use of it reaches the same node
        node = value.__dict__["_accumulator"] = AccumulateGrad(value)
    return (node, 0)


class Function:
    """Base class of differentiable operations (see the module docstring)."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: Tensor) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Run ``forward``; record a node when an input requires grad and grad mode is on.

        Non-tensor arguments (numbers, dims, shapes) are passed through; their gradient
        slot in ``backward``'s return value must be ``None``. Keyword arguments go to
        ``forward`` too but get no gradient slot.
        """
        record = needs_grad(*args)
        ctx = FunctionCtx(tuple(isinstance(a, Tensor) and a.requires_grad for a in args))
        with no_grad():
            result = cls.forward(ctx, *args, **kwargs)
        if record:
            if any(result is a for a in args):  # e.g. contiguous() of a contiguous tensor returns its input
                result = result.detach()
            node = BackwardNode(cls, ctx, tuple(edge_of(a) for a in args))
            node.tensor_ref = weakref.ref(result)  # for retain_grad() and autograd.grad on non-leaves
            ctx.output_node = node
            result.requires_grad = True
            result.grad_fn = node
        return result


def differentiable_inputs(values: Sequence[Any]) -> List[Tensor]:
    """The tensors among ``values`` that require grad."""
    return [v for v in values if isinstance(v, Tensor) and v.requires_grad]
