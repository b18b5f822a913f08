"""The backward pass: walk the graph from the outputs to the leaves in topological order.

Taught in notebooks/02_autograd.ipynb, sections "Topological order", "Accumulating
gradients" and "Un-broadcasting". ``Tensor.backward`` and :func:`grad` both call :func:`run_backward`.
"""

from __future__ import annotations

import sys
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from .._tensor import AUTOGRAD_METHODS, Tensor
from .function import AccumulateGrad, Node, edge_of
from .grad_mode import set_grad_enabled
from ..ops.common import backend_for

Tensors = Union[Tensor, Sequence[Tensor]]


def topological_order(roots: Sequence[Node]) -> List[Node]:
    """Every node reachable from ``roots`` through ``next_functions``, each one listed
    *before* all the nodes it points to (so a node comes after everything that feeds it
    a gradient).

    Args:
        roots: the ``grad_fn`` nodes of the outputs backward starts from.

    Returns:
        A list of distinct nodes: the roots first, the leaves' ``AccumulateGrad`` nodes last.
    """
    # BEGIN EXERCISE 2.1
    order: List[Node] = []
    visited = set()
    for root in roots:
        # Iterative depth-first search (deep graphs would overflow Python's recursion limit):
        # a node is appended once all of its inputs are done; reversing gives outputs first.
        stack = [(root, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for child, _ in node.next_functions:
                if child is not None and id(child) not in visited:
                    stack.append((child, False))
    return order[::-1]
    # END EXERCISE


def accumulate_grad(leaf: Tensor, grad: Tensor, create_graph: bool) -> None:
    """Add ``grad`` into ``leaf.grad``, as backward does for every leaf that requires grad.

    The first gradient is stored as a new tensor (never as ``grad`` itself, which may be
    another tensor's storage); later ones are added to it, in place unless
    ``create_graph`` asks for a differentiable sum.
    """
    # BEGIN EXERCISE 2.2
    if not create_graph:
        grad = grad.detach()  # .grad holds values only, no graph
    if leaf.grad is None:
        leaf.grad = grad.clone()  # a copy: never alias another tensor (or an expanded view)
    elif create_graph:
        leaf.grad = leaf.grad + grad  # out of place, so the sum is differentiable too
    else:
        leaf.grad.add_(grad)
    # END EXERCISE


def sum_to_shape(grad: Tensor, shape: Sequence[int]) -> Tensor:
    """Sum ``grad`` down to ``shape``: undo the broadcasting of an input of that shape.

    If an input of shape ``shape`` was broadcast to ``grad.shape`` in the forward pass, each
    of its elements was used once per copy, so its gradient is the sum over the copies:
    over the leading dimensions broadcasting added, and over the dimensions where
    ``shape`` has size 1 but ``grad`` does not (keeping them, as size 1).

    Returns:
        ``grad`` itself when the shapes already match, else a new tensor of shape ``shape``.
    """
    # BEGIN EXERCISE 2.3
    shape = tuple(shape)
    if tuple(grad.shape) == shape:
        return grad
    extra = grad.dim() - len(shape)
    if extra:
        grad = grad.sum(dim=tuple(range(extra)))
    dims = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if dims:
        grad = grad.sum(dim=dims, keepdim=True)
    return grad
    # END EXERCISE


def _expandable(shape: Tuple[int, ...], target: Tuple[int, ...]) -> bool:
    """True when a tensor of ``shape`` broadcasts to ``target`` (so ``target`` sums back to it)."""
    if len(shape) > len(target):
        return False
    return all(size == 1 or size == wanted for size, wanted in zip(reversed(shape), reversed(target)))


def validate_outputs(node: Node, grads: Tuple[Optional[Tensor], ...]) -> List[Optional[Tensor]]:
    """The gradients ``node``'s backward returned, made to fit its inputs (torch's ``validate_outputs``).

    A gradient of the broadcast shape is summed to its input's shape with :func:`sum_to_shape`
    (so no rule has to un-broadcast), and cast to the input's dtype. Gradients for inputs that
    need none (numbers, tensors without ``requires_grad``) are dropped.

    Raises:
        RuntimeError: a gradient whose shape does not broadcast to the input's (torch's message).
    """
    result: List[Optional[Tensor]] = []
    inputs = node.inputs
    for index, (child, _) in enumerate(node.next_functions):
        grad, expected = grads[index], inputs[index]
        if child is None or expected is None or grad is None:
            result.append(None)
            continue
        shape, dtype = expected
        if grad._shape != shape:
            if not _expandable(shape, grad._shape):
                raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {index} - got "
                                   f"{list(grad._shape)} but expected shape compatible with {list(shape)}")
            grad = sum_to_shape(grad, shape)
        if grad.dtype is not dtype:  # e.g. a float32 input of a float64 product (as torch)
            grad = grad.to(dtype)
        result.append(grad)
    return result


def _as_list(values: Optional[Tensors]) -> List[Tensor]:
    if values is None:
        return []
    if isinstance(values, Tensor):
        return [values]
    return list(values)


def _initial_grads(outputs: List[Tensor], grad_outputs: List[Optional[Tensor]]) -> List[Tensor]:
    grads = []
    for output, grad in zip(outputs, grad_outputs):
        if grad is None:
            if output.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grad = backend_for(output.device).full(output._shape, 1, output.dtype, output.device)
        elif tuple(grad.shape) != tuple(output.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {grad.shape} and output[0] "
                               f"has a shape of {output.shape}.")
        elif grad.dtype is not output.dtype:
            grad = grad.to(output.dtype)  # as torch: the gradient takes the output's dtype
        grads.append(grad)
    return grads


def run_backward(outputs: Tensors, grad_outputs: Optional[Sequence[Optional[Tensor]]] = None,
                 retain_graph: Optional[bool] = None, create_graph: bool = False,
                 inputs: Optional[Sequence[Tensor]] = None, allow_unused: bool = False
                 ) -> Optional[Tuple[Optional[Tensor], ...]]:
    """Back-propagate from ``outputs``.

    With ``inputs=None`` (``Tensor.backward``) gradients are accumulated into the ``.grad``
    of every leaf that requires grad (and of non-leaves that called ``retain_grad``). With
    ``inputs`` given (``autograd.grad``) nothing is accumulated: their gradients are returned.

    Raises:
        RuntimeError: for an output that does not require grad, a non-scalar output without
            ``grad_outputs``, a second backward through a freed graph, or an unused input
            without ``allow_unused``.
    """
    outputs = _as_list(outputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = _as_list(grad_outputs) or [None] * len(outputs)
    for output in outputs:
        if not output.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if retain_graph is None:
        retain_graph = create_graph
    grads = _initial_grads(outputs, list(grad_outputs))
    wanted = {id(t): t for t in inputs} if inputs is not None else None
    captured: Dict[int, Tensor] = {}

    # The gradient waiting at each node: the sum of what its users sent (keyed by the node).
    pending: Dict[Node, Tensor] = {}
    roots = []
    for output, grad in zip(outputs, grads):
        node = output.grad_fn or _leaf_node(output)
        roots.append(node)
        _add_pending(pending, node, grad)
        if wanted is not None and id(output) in wanted:
            captured[id(output)] = grad
    with set_grad_enabled(create_graph):
        for node in topological_order(roots):
            grad = pending.pop(node, None)
            if grad is None:  # nothing reaches this node (e.g. only inputs that need no gradient)
                continue
            if type(node) is AccumulateGrad:
                leaf = node.variable
                if leaf._autograd is not None and leaf._autograd.hooks:
                    grad = _run_hooks(leaf, grad)
                if wanted is None:
                    if create_graph or not _took_as_first_grad(leaf, grad):
                        accumulate_grad(leaf, grad, create_graph)
                    if leaf._autograd is not None and leaf._autograd.post_accumulate_hooks:
                        for hook in list(leaf._autograd.post_accumulate_hooks):
                            hook(leaf)
                elif id(leaf) in wanted:
                    captured[id(leaf)] = grad
                continue
            owner = node.tensor_ref() if node.tensor_ref is not None else None
            if owner is not None and owner._autograd is not None:  # the output, while it lives
                if owner._autograd.hooks:
                    grad = _run_hooks(owner, grad)
                if wanted is not None:
                    if id(owner) in wanted:
                        captured[id(owner)] = grad
                elif owner._autograd.retains_grad:
                    accumulate_grad(owner, grad, create_graph)
            owner = None
            input_grads = validate_outputs(node, node.apply(grad))
            if not retain_graph:
                node.release()
            for (child, _), child_grad in zip(node.next_functions, input_grads):
                if child is not None and child_grad is not None:
                    _add_pending(pending, child, child_grad)
            input_grads = child_grad = None  # the pending entries are then the gradients' only holders
    if inputs is None:
        return None
    result = tuple(captured.get(id(t)) for t in inputs)
    for index, grad in enumerate(result):
        if grad is None and not allow_unused:
            raise RuntimeError(f"The differentiated Tensor at index {index} appears to not have been used in the "
                               "graph. Set allow_unused=True if this is the desired behavior.")
    return result


def _references(value: object) -> int:
    """``value``'s reference count, seen from a function it was passed to."""
    return sys.getrefcount(value)


def _references_of_a_sole_local() -> int:
    """What :func:`_references` reports for an object that only one caller's local variable holds.

    Measured rather than assumed: Python versions count the references of a call's own arguments
    differently (3.14 borrows some).
    """
    value = object()
    return _references(value)


_SOLE = _references_of_a_sole_local()
_STEALS = getattr(sys, "_is_gil_enabled", lambda: True)()  # free-threaded Python: counts are not exact


def _took_as_first_grad(leaf: Tensor, grad: Tensor) -> bool:
    """Make ``grad`` itself the leaf's first ``.grad`` when nothing else can see it; True if it did.

    torch "steals" such a gradient instead of copying it (a copy of every parameter's gradient, every
    step). Only the engine's local variable may hold the tensor, only the tensor its storage, nothing
    outside course_lib its memory (``Storage.exposed``), and its layout must be the leaf's: then
    nobody can tell the difference from :func:`accumulate_grad`'s copy. Anything else, or a leaf that
    already has a gradient, returns False and goes through :func:`accumulate_grad`.
    """
    meta = leaf._autograd
    if not _STEALS or meta is None or meta.grad is not None or grad._autograd is not None:
        return False
    storage = grad._storage
    if (storage.exposed or grad._offset or grad._strides != leaf._strides or grad.dtype is not leaf.dtype
            or (grad.device is not leaf.device and grad.device != leaf.device) or len(storage) != leaf.numel()):
        return False
    # The engine's local, this function's argument: a sole local; one reference (grad's) to its storage.
    if _references(grad) != _SOLE + 1 or sys.getrefcount(storage) != 3:
        return False
    meta.grad = grad
    return True


def _run_hooks(tensor: Optional[Tensor], grad: Tensor) -> Tensor:
    """``grad`` after the tensor's ``register_hook`` hooks, in order (a hook may return a replacement)."""
    meta = tensor._autograd if tensor is not None else None
    if meta is None or not meta.hooks:
        return grad
    for hook in list(meta.hooks):
        replaced = hook(grad)
        if replaced is not None:
            grad = replaced
    return grad


class RemovableHandle:
    """What ``register_hook`` returns: ``handle.remove()`` takes the hook away again."""

    def __init__(self, hooks: list, hook: Callable):
        self.hooks, self.hook = hooks, hook

    def remove(self) -> None:
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


def register_hook(tensor: Tensor, hook: Callable[[Tensor], Optional[Tensor]]) -> RemovableHandle:
    """Call ``hook(grad)`` each time backward computes the gradient with respect to ``tensor``.

    The hook may return a new gradient, used in place of ``grad`` from then on (for a leaf, that is
    what accumulates in ``.grad``; for a non-leaf, what flows on to its inputs).

    Raises:
        RuntimeError: ``cannot register a hook on a tensor that doesn't require gradient``.
    """
    if not tensor.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    hooks = tensor.autograd_meta.hooks
    hooks.append(hook)
    return RemovableHandle(hooks, hook)


def _leaf_node(tensor: Tensor) -> Node:
    return edge_of(tensor)[0]


def _add_pending(pending: Dict[Node, Tensor], node: Node, grad: Tensor) -> None:
    previous = pending.get(node)
    pending[node] = grad if previous is None else previous + grad


def grad(outputs: Tensors, inputs: Tensors, grad_outputs: Optional[Sequence[Optional[Tensor]]] = None,
         retain_graph: Optional[bool] = None, create_graph: bool = False,
         allow_unused: bool = False) -> Tuple[Optional[Tensor], ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` is untouched).

    Args:
        outputs: tensor(s) to differentiate.
        inputs: tensor(s) to differentiate with respect to.
        grad_outputs: the vector of the vector-Jacobian product, one per output (``None``
            means ones for a scalar output).
        retain_graph: keep the graph for another backward (default: ``create_graph``).
        create_graph: record the backward pass itself, for higher-order gradients.
        allow_unused: return ``None`` for an input the outputs do not depend on, instead of raising.

    Returns:
        One gradient per input (a tuple, even for a single input).

    Raises:
        RuntimeError: ``One of the differentiated Tensors does not require grad`` (whatever ``allow_unused``
            says, as in torch: such an input is a mistake, not an unused input).
    """
    targets = _as_list(inputs)
    _check_inputs_require_grad(targets, "One of the differentiated Tensors does not require grad")
    return run_backward(outputs, grad_outputs, retain_graph, create_graph, targets, allow_unused)


def _check_inputs_require_grad(targets: list, head: str) -> None:
    """Raise torch's RuntimeError (first line ``head``) for an input of ``grad``/``backward`` that does not
    require grad, naming which one."""
    for index, target in enumerate(targets):
        if isinstance(target, Tensor) and not target.requires_grad:
            raise RuntimeError(f"{head}\n(input {index}, a {target.dtype.name} tensor of shape {list(target.shape)}, "
                               "has requires_grad=False: create it with requires_grad=True, or call "
                               ".requires_grad_() on it before computing the outputs)")


def backward(tensors: Tensors, grad_tensors: Optional[Sequence[Optional[Tensor]]] = None,
             retain_graph: Optional[bool] = None, create_graph: bool = False,
             inputs: Optional[Tensors] = None) -> None:
    """``torch.autograd.backward`` (and ``Tensor.backward``): accumulate the gradients of
    ``tensors`` into the ``.grad`` of the leaves, or only of ``inputs`` when given."""
    if inputs is None:
        run_backward(tensors, grad_tensors, retain_graph, create_graph)
        return
    targets = _as_list(inputs)
    _check_inputs_require_grad(targets, "can't retain_grad on Tensor that has requires_grad=False")
    grads = run_backward(tensors, grad_tensors, retain_graph, create_graph, targets, allow_unused=True)
    for target, grad in zip(targets, grads):
        if grad is not None:
            accumulate_grad(target, grad, create_graph)


def register_post_accumulate_grad_hook(tensor: Tensor, hook: Callable[[Tensor], None]) -> RemovableHandle:
    """Call ``hook(tensor)`` after backward has accumulated into the leaf ``tensor``'s ``.grad``.

    Raises:
        RuntimeError: torch's messages, for a tensor that is not a leaf or does not require grad.
    """
    if not tensor.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if tensor.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    hooks = tensor.autograd_meta.post_accumulate_hooks
    hooks.append(hook)
    return RemovableHandle(hooks, hook)


AUTOGRAD_METHODS["backward"] = backward  # Tensor.backward calls it
AUTOGRAD_METHODS["register_hook"] = register_hook
AUTOGRAD_METHODS["register_post_accumulate_grad_hook"] = register_post_accumulate_grad_hook
