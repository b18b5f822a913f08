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
from typing import Any, Callable, List, Optional, Tuple

from .._tensor import AutogradMeta, Tensor
from ..ops.dispatch import AUTOGRAD, OPS
from ..ops.dispatch import grad_mode as _state


class Node:
    """A node of the backward graph: one recorded operation (or a leaf's accumulator).

    Attributes:
        next_functions: for each differentiable input of the operation, ``(node, 0)`` where
            ``node`` is the input's ``grad_fn`` (or its :class:`AccumulateGrad` for a leaf that
            requires grad), or ``(None, 0)`` for an input that needs no gradient. Same shape
            as torch's.
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

    Each Function gets its own subclass, named like torch's (``MulBackward0``), so that
    ``type(y.grad_fn).__name__`` reads as in torch.

    Attributes:
        function: the Function subclass (a class attribute); its ``backward`` turns the
            output's gradient into the inputs' gradients.
        ctx: what forward saved (``ctx.saved_tensors``...).
        slots: for each entry of ``next_functions``, the position of its forward argument.
        inputs: for each entry, the ``(shape, dtype)`` of that input (``None`` for a number):
            the engine sums each gradient to that shape and casts it to that dtype.
    """

    function: type

    def __init__(self, ctx: "FunctionCtx", next_functions: Tuple, slots: Tuple[int, ...], inputs: Tuple,
                 arg_count: int):
        self.ctx = ctx
        self.next_functions = next_functions
        self.slots = slots
        self.inputs = inputs
        self.arg_count = arg_count
        self.tensor_ref: Optional[weakref.ref] = None

    def apply(self, grad_output: Tensor) -> Tuple[Optional[Tensor], ...]:
        """Gradients of the inputs, one per entry of ``next_functions``, as ``backward`` returned
        them (possibly of the broadcast shape: the engine un-broadcasts, see ``engine.validate_outputs``)."""
        grads = self.function.backward(self.ctx, grad_output)
        if not isinstance(grads, tuple):
            grads = (grads,)
        # backward returns one gradient per positional forward argument. A rule may stop after
        # its last tensor input (the missing ones are None) or return None for optional
        # arguments the call did not pass.
        if len(grads) > self.arg_count and any(g is not None for g in grads[self.arg_count:]):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {self.arg_count}, got {len(grads)})")
        count = len(grads)
        return tuple([grads[slot] if slot < count else None for slot in self.slots])

    __call__ = apply  # torch's nodes are callable too: node(grad_output)

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
        # (tensor, version when saved, weak reference to it if it is the op's own output)
        self._saved: List[Tuple[Optional[Tensor], int, Optional[weakref.ref]]] = []
        self._node: Optional[weakref.ref] = None  # the node of this op, once recorded

    def save_for_backward(self, *tensors: Optional[Tensor]) -> None:
        """Keep ``tensors`` for backward, remembering their version to catch in-place edits."""
        self._saved = [(t, t._storage.version if t is not None else 0, None) for t in tensors]

    @property
    def saved_tensors(self) -> Tuple[Optional[Tensor], ...]:
        """The saved tensors.

        Raises:
            RuntimeError: if one was modified in place after it was saved (torch's message),
                or the graph was freed by an earlier backward.
        """
        if self.freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors after they "
                "have already been freed). Saved intermediate values of the graph are freed when you call "
                ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
                "graph a second time or if you need to access saved tensors after calling backward.")
        result = []
        for tensor, version, output in self._saved:
            if tensor is not None:
                if tensor._storage.version != version:
                    self._modified_error(tensor, version)
                if output is not None:  # the op's own output, kept without history (see _record)
                    tensor = _with_history(tensor, output(), self._node())
            result.append(tensor)
        return tuple(result)

    def _modified_error(self, tensor: Tensor, version: int) -> None:
        node = self._node() if self._node is not None else None
        owner = node.name() if node is not None else "an operation"
        kind = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor",
                "bool": "BoolTensor"}.get(tensor.dtype.name, "Tensor")
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [torch.{kind} {list(tensor.shape)}], which is used by {owner}, is at version "
            f"{tensor._version}; expected version {version} instead. Hint: a tensor this operation saved "
            "was changed in place after it was used; use an out-of-place version (x = x + 1, not x += 1) "
            "or .clone() it first.")

    def free(self) -> None:
        """Drop the saved tensors; a later ``saved_tensors`` raises (a node that saved nothing
        can run again, as in torch)."""
        if self._saved:
            self._saved = []
            self.freed = True


def _with_history(values: Tensor, original: Optional[Tensor], node: Optional["BackwardNode"]) -> Tensor:
    """A saved output as backward should see it: the output tensor itself while it lives and
    is still the node's output, else its values with the node as ``grad_fn``."""
    if original is not None and original.grad_fn is node:
        return original
    if node is None:
        return values
    tensor = values.detach()
    tensor._requires_grad, tensor.grad_fn = True, node
    return tensor


def edge_of(value: Any) -> Tuple[Optional[Node], int]:
    """The ``next_functions`` entry for one forward input."""
    if not isinstance(value, Tensor) or not value._requires_grad:
        return (None, 0)
    meta = value._autograd
    if meta is None:
        meta = value._autograd = AutogradMeta()
    elif meta.grad_fn is not None:
        return (meta.grad_fn, 0)
    # One accumulator per leaf, so every use of it reaches the same node. The leaf holds it
    # weakly (the graphs that use it hold it), so leaf and node form no reference cycle.
    node = meta.accumulator() if meta.accumulator is not None else None
    if node is None:
        node = AccumulateGrad(value)
        meta.accumulator = weakref.ref(node)
    return (node, 0)


class Function:
    """Base class of differentiable operations (see the module docstring).

    Attributes:
        edge_args: positions of the forward arguments that get an entry in the node's
            ``next_functions`` (torch lists an op's differentiable inputs). ``None``, the
            default, means every Tensor argument; arithmetic (``AddBackward0``...) lists both
            operands, numbers included, as torch does for ``x + 2``.
    """

    edge_args: Optional[Tuple[int, ...]] = None
    is_view = False  # True for ops whose result may share the input's memory (view, select...)

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
        needs = tuple([isinstance(a, Tensor) and a._requires_grad for a in args])
        ctx = FunctionCtx(needs)
        recording = _state.enabled
        _state.enabled = False  # forward records nothing: `with no_grad():`, written out (a hot path)
        try:
            result = cls.forward(ctx, *args, **kwargs)
        finally:
            _state.enabled = recording
        if recording and True in needs:
            for a in args:
                if result is a:  # e.g. contiguous() of a contiguous tensor returns its input
                    result = result.detach()
                    break
            _record(cls, ctx, result, args, kwargs)
        return result


def _record(function: type, ctx: FunctionCtx, result: Tensor, args: tuple, kwargs: dict) -> None:
    """Make ``result`` the output of a new node of ``function`` linked to the inputs' nodes."""
    slots = function.edge_args
    if slots is None:
        slots = tuple([i for i, a in enumerate(args) if isinstance(a, Tensor)])
    edges, inputs = [], []
    for i in slots:
        a = args[i]
        if isinstance(a, Tensor):
            edges.append(edge_of(a))
            inputs.append((a._shape, a.dtype))
        else:
            edges.append((None, 0))
            inputs.append(None)
    node_class = function.__dict__.get("_node_type") or node_type(function)
    node = node_class(ctx, tuple(edges), slots, tuple(inputs), len(args))
    node.tensor_ref = weakref.ref(result)  # for retain_grad() and autograd.grad on non-leaves
    ctx._node = weakref.ref(node)
    saved = ctx._saved
    for i, (tensor, version, _) in enumerate(saved):
        if tensor is result:
            # NOTE: a saved output would point back at its own node (result -> node -> ctx ->
            # result), a reference cycle only the garbage collector frees. Like torch, keep its
            # values without the grad_fn (and a weak reference to it) and put the two together
            # again when backward unpacks it (saved_tensors).
            saved[i] = (result.detach(), version, weakref.ref(result))
    result._requires_grad = True  # the slot: an output is not a leaf, which the checked property refuses
    meta = result._autograd
    if meta is None:
        meta = result._autograd = AutogradMeta()
    meta.grad_fn = node
    if function.is_view and result._storage is args[0]._storage:
        remember_view(result, args[0], function, args[1:], kwargs)


def remember_view(view: Tensor, source: Tensor, function: type, args: tuple, kwargs: dict) -> None:
    """Record how ``view`` was made from its base (the tensor whose memory it shares; through
    views of views), so that an in-place change of the view can also update the base's
    history (see ``inplace._rebase``). Stored as ``view.autograd_meta.view_of = (base, steps)``."""
    origin = source._autograd.view_of if source._autograd is not None else None
    base, steps = origin if origin is not None else (source, ())
    view.autograd_meta.view_of = (base, steps + ((function, args, kwargs),))


def node_type(function: type) -> type:
    """The :class:`BackwardNode` subclass of ``function``, made on first use and named like
    torch's: a rule's own name (``MulBackward0``), or ``<Name>Backward`` for a Function
    you write (torch's convention for custom Functions)."""
    made = function.__dict__.get("_node_type")
    if made is None:
        name = function.__name__
        if "Backward" not in name and name != "CopySlices":
            name += "Backward"
        made = type(name, (BackwardNode,), {"function": function, "__module__": function.__module__})
        function._node_type = made
    return made


def backward_of(*names: str) -> Callable[[type], type]:
    """Register the decorated :class:`Function` as the autograd kernel of the operations ``names``.

    A call of one of them with an input that requires grad (and grad mode on) then runs
    ``rule.apply`` with the call's arguments, which records the graph. The operations must be
    declared already (``@differentiable("name")``): a rule lives in ``autograd/rules/`` beside the
    others of its family, or right below its operation (an ``nn.functional`` op with its own rule)::

        @backward_of("mul")
        class MulBackward0(Function): ...

    An operation whose call picks one of several Functions (``sum`` with or without ``dim``) is a
    row of ``autograd/kernels.py``'s selector table instead.
    """

    def register(rule: type) -> type:
        for name in names:
            if name not in OPS:
                raise KeyError(f"backward_of({name!r}): no operation {name!r} is declared with @differentiable")
            AUTOGRAD[name] = rule.apply
        return rule

    return register
