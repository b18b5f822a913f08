"""Checks for chapter 03 (notebooks/03_neural_networks.ipynb): your modules, losses, layers, optimizers and
samplers against torch's.

What they cover: every module is built twice, once with course_lib and once with torch, with the same
weights (torch's copied into course_lib's with ``load_state_dict``), and compared on outputs and on the
gradients of the input and of every parameter, after ``backward`` with a random output gradient.
Optimizers are compared step by step on the same problem; samplers by the properties torch's have (a
permutation, a new one each epoch, the same one for the same seed) and by the exact batches they make.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Dict, Iterator, List, Sequence, Tuple

import numpy as np

from .. import _api
from .compare import forward_backward, random_arrays
from .harness import Case, register_check
from ..nn.functional.conv import window_columns
from ..nn.functional.pooling import tile_maxima


def _float64(library: Any, array: np.ndarray, device: str, requires_grad: bool = True) -> Any:
    return library.tensor(array, dtype=library.float64, device=device, requires_grad=requires_grad)


def _module_case(name: str, device: str, build: Callable[[Any], Any], shape: Tuple[int, ...], seed: int,
                 text: str) -> Case:
    """``build(library)``'s output, input gradient and parameter gradients, course_lib's against torch's with
    torch's weights copied in (float64)."""
    import torch

    torch.manual_seed(seed)
    theirs = build(torch).double()
    weights = {key: value.detach().clone() for key, value in theirs.state_dict().items()}
    (array,) = random_arrays([shape], seed)

    def run(library: Any, module: Any, dev: str) -> tuple:
        x = _float64(library, array, dev)
        outputs, (grad,) = forward_backward(library, lambda lib, t: module(t), [x], seed)
        return (outputs[0], grad, *[p.grad for _, p in module.named_parameters()])

    def ours() -> tuple:
        module = build(_api).double()
        module.load_state_dict(weights)
        return run(_api, module.to(device), device)

    return Case(name, f"{text}, input of shape {shape} (float64, seed {seed}): (output, input grad, "
                      "parameter grads)", actual=ours, expected=lambda: run(torch, theirs, "cpu"))


def _expression_case(name: str, device: str, expression: Callable, arrays: Sequence[Any], seed: int,
                     text: str) -> Case:
    """``expression(library, *inputs)`` and its input gradients; an array that is not floating point (class
    indices) goes in as a tensor that needs no gradient."""
    import torch

    def run(library: Any, dev: str) -> tuple:
        inputs = [_float64(library, a, dev) if np.issubdtype(a.dtype, np.floating)
                  else library.tensor(a, device=dev) for a in arrays]
        outputs, grads = forward_backward(library, expression, inputs, seed)
        return (*outputs, *[g for g in grads if g is not None])

    return Case(name, text, actual=lambda: run(_api, device), expected=lambda: run(torch, "cpu"))


# ---------------------------------------------------------------- 3.1 and 3.2: modules


def _registered(library: Any) -> Dict[str, Any]:
    """A module built by attribute assignment, then changed; what its tables hold at each point."""
    nn = library.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(library.ones(3))
            self.inner = nn.Linear(3, 2)
            self.shift = nn.Parameter(library.zeros(2))
            self.note = "a plain attribute"
            self.factor = 2.0

    block = Block()
    seen = {"parameters": [(name, tuple(p.shape)) for name, p in block.named_parameters()],
            "modules": [name for name, _ in block.named_children()],
            "plain": (block.note, block.factor == 2.0, "note" in block._parameters)}
    block.scale = nn.Parameter(library.full((3,), 5.0))  # re-assigned: same place in the order
    block.shift = None  # an absent parameter keeps its slot
    seen["after"] = [(name, tuple(p.shape)) for name, p in block.named_parameters()]
    seen["slots"] = list(block._parameters)
    block.inner = nn.Parameter(library.ones(1))  # a module's name now holds a parameter
    seen["moved"] = ([name for name, _ in block.named_children()], list(block._parameters))
    return seen


def _assign_tensor_to_parameter(library: Any) -> None:
    layer = library.nn.Linear(2, 2)
    layer.weight = library.zeros(2, 2)  # a plain tensor where a Parameter lives: TypeError


@register_check("3.1")
def check_module_setattr() -> Iterator[Case]:
    """Assigning attributes registers parameters and submodules, in order, as torch's Module does."""
    import torch

    tables = ["parameters", "modules", "plain", "after", "slots", "moved"]
    what = {"parameters": "named_parameters() after __init__", "modules": "named_children()",
            "plain": "a str and a float stay plain attributes", "after": "re-assign scale, set shift to None",
            "slots": "_parameters keeps shift's slot", "moved": "inner = Parameter: leaves the modules"}
    for table in tables:
        yield Case(what[table], "class Block(nn.Module) with scale, inner = Linear(3, 2), shift, note, factor",
                   actual=lambda table=table: _registered(_api)[table],
                   expected=lambda table=table: _registered(torch)[table])
    yield Case("a tensor assigned to a parameter's name", "layer = Linear(2, 2); layer.weight = zeros(2, 2)",
               actual=lambda: _assign_tensor_to_parameter(_api),
               expected=lambda: _assign_tensor_to_parameter(torch), expect_error=TypeError)


@register_check("3.2", per_device=True)
def check_linear_forward(device: str) -> Iterator[Case]:
    """``Linear`` on a batch, a single sample, extra leading dimensions, and without a bias."""
    variants = [("Linear(4, 3), batch of 5", lambda lib: lib.nn.Linear(4, 3), (5, 4)),
                ("Linear(4, 3), one sample", lambda lib: lib.nn.Linear(4, 3), (4,)),
                ("Linear(3, 2), (2, 5, 3)", lambda lib: lib.nn.Linear(3, 2), (2, 5, 3)),
                ("Linear(4, 2, bias=False)", lambda lib: lib.nn.Linear(4, 2, bias=False), (3, 4))]
    for seed, (name, build, shape) in enumerate(variants):
        yield _module_case(name, device, build, shape, 100 + seed, name)


# ---------------------------------------------------------------- 3.3 and 3.4: log-softmax and cross-entropy


@register_check("3.3", per_device=True)
def check_logsumexp(device: str) -> Iterator[Case]:
    """Values and gradients of ``logsumexp``, with large values (exp overflows) and infinite slices."""
    rng = np.random.default_rng(120)
    large = rng.standard_normal((3, 4)) + 1000.0
    infinite = np.array([[-np.inf, -np.inf, -np.inf], [0.5, -np.inf, 1.0], [np.inf, 1.0, 2.0]])
    variants = [("dim=1", lambda lib, x: lib.logsumexp(x, 1), rng.standard_normal((3, 4))),
                ("dim=0, keepdim=True", lambda lib, x: lib.logsumexp(x, 0, keepdim=True), rng.standard_normal((3, 4))),
                ("dim=(0, 2)", lambda lib, x: lib.logsumexp(x, (0, 2)), rng.standard_normal((2, 3, 4))),
                ("values near 1000 (exp overflows)", lambda lib, x: lib.logsumexp(x, 1), large),
                ("dim=-1 of a vector", lambda lib, x: lib.logsumexp(x, -1), rng.standard_normal((5,)))]
    for seed, (name, expression, array) in enumerate(variants):
        yield _expression_case(name, device, expression, [array], 130 + seed, f"logsumexp, {name}, input of "
                               f"shape {array.shape}")

    def infinite_rows(library: Any) -> Any:
        return library.logsumexp(library.tensor(infinite, device=device if library is _api else "cpu"), 1)

    import torch

    yield Case("rows with -inf and inf", f"logsumexp(x, 1) of {infinite.tolist()}",
               actual=lambda: infinite_rows(_api), expected=lambda: infinite_rows(torch))


@register_check("3.4", per_device=True)
def check_cross_entropy(device: str) -> Iterator[Case]:
    """``cross_entropy``'s general path (class weights, extra dimensions, label smoothing, ignore_index, one
    sample): the usual ``(N, C)`` case without them takes a fused node of its own."""
    rng = np.random.default_rng(140)
    logits, targets = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    weight = rng.uniform(0.5, 2.0, 4)
    variants = [
        ("class weights", lambda lib, x, t, w: lib.nn.functional.cross_entropy(x, t, weight=w.detach()),
         [logits, targets, weight]),
        ("weights, reduction='sum'", lambda lib, x, t, w: lib.nn.functional.cross_entropy(
            x, t, weight=w.detach(), reduction="sum"), [logits, targets, weight]),
        ("(N, C, d) input, reduction='none'", lambda lib, x, t: lib.nn.functional.cross_entropy(
            x, t, reduction="none"), [rng.standard_normal((2, 3, 5)), rng.integers(0, 3, (2, 5))]),
        ("label_smoothing=0.1", lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, label_smoothing=0.1),
         [logits, targets]),
        ("ignore_index=2 with weights", lambda lib, x, t, w: lib.nn.functional.cross_entropy(
            x, t, weight=w.detach(), ignore_index=2), [logits, np.array([2, 0, 1, 2, 3, 1]), weight]),
        ("one sample: (C,) logits, () target", lambda lib, x, t: lib.nn.functional.cross_entropy(x, t),
         [rng.standard_normal(5), np.array(3)]),
    ]
    for seed, (name, expression, arrays) in enumerate(variants):
        shapes = [tuple(a.shape) for a in arrays]
        yield _expression_case(name, device, expression, arrays, 150 + seed,
                               f"F.cross_entropy, {name}: logits, targets (and weights) of shapes {shapes}")


# ---------------------------------------------------------------- 3.5: convolution


@register_check("3.5", per_device=True)
def check_window_columns(device: str) -> Iterator[Case]:
    """``conv2d`` (stride 1: the windows-and-matmul node) against torch's: output and every gradient, whose
    input gradient runs ``window_columns`` again (the full convolution)."""
    import torch

    variants = [("3 -> 4 channels, 3x3, no padding", (2, 3, 7, 6), (4, 3, 3, 3), 0, True),
                ("1 -> 2 channels, 3x3, padding=1", (2, 1, 5, 5), (2, 1, 3, 3), 1, True),
                ("2 -> 3 channels, 2x3 kernel, padding=(1, 0), no bias", (1, 2, 4, 6), (3, 2, 2, 3), (1, 0), False),
                ("padding='same', 3x1 kernel", (1, 2, 5, 4), (2, 2, 3, 1), "same", True),
                ("unbatched (C, H, W)", (3, 5, 5), (2, 3, 3, 3), 1, True)]
    for seed, (name, shape, weight_shape, padding, bias) in enumerate(variants):
        arrays = random_arrays([shape, weight_shape, weight_shape[:1]], 160 + seed)
        if not bias:
            arrays = arrays[:2]
        expression = (lambda lib, x, w, *b, padding=padding:
                      lib.nn.functional.conv2d(x, w, b[0] if b else None, padding=padding))
        yield _expression_case(name, device, expression, arrays, 160 + seed,
                               f"F.conv2d(x, weight{', bias' if bias else ''}, padding={padding!r}), x {shape}, "
                               f"weight {weight_shape}: (output, grads)")

    x = np.arange(2 * 3 * 4 * 2, dtype=np.float64).reshape(2, 3, 4, 2)  # (N, H, W, C)

    def columns_by_torch() -> Any:
        padded = torch.nn.functional.pad(torch.tensor(x), (0, 0, 1, 0, 0, 1))  # left 1 / bottom 1 of H, W
        windows = padded.unfold(1, 2, 1).unfold(2, 2, 1)  # (N, oh, ow, C, kh, kw)
        return windows.permute(0, 1, 2, 4, 5, 3).reshape(-1, 2 * 2 * 2)

    yield Case("the columns themselves, uneven padding", "window_columns(x, (2, 2), pads=(1, 0, 0, 1)) of "
               "x = arange(48) as (N=2, H=3, W=4, C=2): rows in (n, oh, ow) order, columns in (kh, kw, C) order",
               actual=lambda: window_columns(_api.tensor(x, device=device), (2, 2), (1, 0, 0, 1)),
               expected=columns_by_torch)


# ---------------------------------------------------------------- 3.6 and 3.7: max pooling


def _pooling_cases(device: str, seed: int) -> Iterator[Case]:
    rng = np.random.default_rng(seed)
    ties = rng.integers(0, 3, (2, 2, 4, 4)).astype(np.float64)  # many equal maxima: the first one wins
    variants = [("2x2 windows", (2, 3, 6, 4), 2, False),
                ("2x2 windows with ties", ties.shape, 2, True),
                ("3x2 windows, 7x5 input (rows and columns left over)", (1, 2, 7, 5), (3, 2), False),
                ("unbatched (C, H, W)", (3, 4, 6), 2, False)]
    for index, (name, shape, kernel, tied) in enumerate(variants):
        array = ties if tied else random_arrays([shape], seed + index)[0]
        yield _expression_case(name, device, lambda lib, x, k=kernel: lib.nn.functional.max_pool2d(x, k),
                               [array], seed + index, f"F.max_pool2d(x, {kernel!r}), x of shape {shape}: "
                               "(output, input grad)")


@register_check("3.6", per_device=True)
def check_tile_maxima(device: str) -> Iterator[Case]:
    """Max pooling with side-by-side windows: values, and the gradient, which goes where ``tile_maxima`` said
    the first maximum is."""
    import torch

    yield from _pooling_cases(device, 170)
    x = np.array([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 1.0, 3.0]]]])

    def positions(library: Any) -> Any:
        if library is torch:
            _, indices = torch.nn.functional.max_pool2d(torch.tensor(x), 2, return_indices=True)
            return indices // 4 % 2 * 2 + indices % 2  # the plane index as a position in its window
        return tile_maxima(_api.tensor(x, device=device), (2, 2))[1]

    yield Case("the position of the first maximum", f"tile_maxima(x, (2, 2))[1] for x = {x.tolist()}",
               actual=lambda: positions(_api), expected=lambda: positions(torch))


@register_check("3.7", per_device=True)
def check_max_pool_backward(device: str) -> Iterator[Case]:
    """The gradient of max pooling goes to each window's first maximum, none to the rest."""
    yield from _pooling_cases(device, 180)


# ---------------------------------------------------------------- 3.8 and 3.9: optimizers


def _trajectory(library: Any, device: str, name: str, options: Dict[str, Any], seed: int, steps: int = 5) -> Any:
    """The parameters after each of ``steps`` steps of ``optim.<name>`` on a least-squares problem."""
    rng = np.random.default_rng(seed)
    x, y, start = rng.standard_normal((8, 3)), rng.standard_normal((8, 2)), rng.standard_normal((3, 2))
    dev = device if library is _api else "cpu"
    w = _float64(library, start, dev)
    inputs, targets = _float64(library, x, dev, False), _float64(library, y, dev, False)
    optimizer = getattr(library.optim, name)([w], **options)
    visited = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((inputs @ w - targets) ** 2).mean() + 0.1 * w.abs().sum()
        loss.backward()
        optimizer.step()
        visited.append(w.detach().clone())
    return library.stack(visited)


def _optimizer_cases(device: str, name: str, variants: Sequence[Dict[str, Any]], seed: int) -> Iterator[Case]:
    import torch

    for index, options in enumerate(variants):
        text = ", ".join(f"{key}={value}" for key, value in options.items())
        yield Case(f"{name}({text})", f"5 steps of optim.{name}([w], {text}) on mean((x @ w - y)**2) + "
                   f"0.1 * |w|.sum(), w of shape (3, 2), float64 (seed {seed + index}): w after each step",
                   actual=lambda o=options, i=index: _trajectory(_api, device, name, o, seed + i),
                   expected=lambda o=options, i=index: _trajectory(torch, device, name, o, seed + i))


@register_check("3.8", per_device=True)
def check_sgd_momentum(device: str) -> Iterator[Case]:
    """SGD with momentum, dampening, Nesterov, weight decay and maximize, step for step."""
    yield from _optimizer_cases(device, "SGD", [
        dict(lr=0.1, momentum=0.9), dict(lr=0.05, momentum=0.5, dampening=0.3),
        dict(lr=0.1, momentum=0.9, nesterov=True), dict(lr=0.1, momentum=0.8, weight_decay=0.01),
        dict(lr=0.05, momentum=0.9, maximize=True)], 190)


@register_check("3.9", per_device=True)
def check_adam(device: str) -> Iterator[Case]:
    """Adam with its defaults, other betas, weight decay, amsgrad and maximize; AdamW; step for step."""
    yield from _optimizer_cases(device, "Adam", [
        dict(lr=0.1), dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6), dict(lr=0.1, weight_decay=0.1),
        dict(lr=0.1, amsgrad=True), dict(lr=0.1, maximize=True)], 200)
    yield from _optimizer_cases(device, "AdamW", [dict(lr=0.1, weight_decay=0.1)], 210)


# ---------------------------------------------------------------- 3.10 and 3.11: samplers


def _shuffles(library: Any, size: int, seed: int) -> Tuple[bool, bool, bool, bool]:
    """(each epoch a permutation, not the identity, epochs differ, a seeded generator repeats itself)."""
    data = list(range(size))
    sampler = library.utils.data.RandomSampler(data, generator=library.Generator().manual_seed(seed))
    first, second = list(sampler), list(sampler)
    again = list(library.utils.data.RandomSampler(data, generator=library.Generator().manual_seed(seed)))
    return (sorted(first) == data and sorted(second) == data, first != data, first != second, again == first)


def _counts(library: Any, size: int, seed: int, **options: Any) -> Tuple[int, List[int], bool, bool]:
    """(how many indices, how often each index came (sorted), all in range, a repeat within the first
    ``size`` draws)."""
    sampler = library.utils.data.RandomSampler(list(range(size)), generator=library.Generator().manual_seed(seed),
                                               **options)
    drawn = list(sampler)
    return (len(drawn), sorted(Counter(drawn).values()), all(0 <= i < size for i in drawn),
            len(set(drawn[:size])) < size)


@register_check("3.10")
def check_random_sampler() -> Iterator[Case]:
    """RandomSampler's shuffles, longer runs without replacement and draws with replacement, judged by what
    torch's have in common with yours (the random numbers themselves come from different generators)."""
    import torch

    yield Case("a new permutation each epoch", "RandomSampler(range(50), generator=Generator().manual_seed(3)): "
               "(a permutation, not 0..49 in order, the second epoch differs, the same seed repeats it)",
               actual=lambda: _shuffles(_api, 50, 3), expected=lambda: _shuffles(torch, 50, 3))
    yield Case("num_samples=7 of 3, no replacement", "RandomSampler(range(3), num_samples=7): (count, how often "
               "each index, in range, a repeat among the first 3)",
               actual=lambda: _counts(_api, 3, 4, num_samples=7), expected=lambda: _counts(torch, 3, 4, num_samples=7))
    yield Case("with replacement", "RandomSampler(range(40), replacement=True, num_samples=60): (count, in range, "
               "a repeat among the first 40)",
               actual=lambda: _draws(_api, 40, 60, 5), expected=lambda: _draws(torch, 40, 60, 5))


def _draws(library: Any, size: int, count: int, seed: int) -> Tuple[int, bool, bool]:
    """(how many indices, all in range, a repeat within the first ``size``) of draws with replacement."""
    drawn, _, in_range, repeated = _counts(library, size, seed, replacement=True, num_samples=count)
    return drawn, in_range, repeated


def _batches(library: Any, size: int, batch_size: int, drop_last: bool) -> List[List[int]]:
    data = library.utils.data
    return list(data.BatchSampler(data.SequentialSampler(range(size)), batch_size, drop_last))


def _loader_batches(library: Any, size: int, batch_size: int, drop_last: bool) -> List[Any]:
    data = library.utils.data
    features = library.arange(size * 2, dtype=library.float32).reshape(size, 2)
    dataset = data.TensorDataset(features, library.arange(size))
    return [tuple(batch) for batch in data.DataLoader(dataset, batch_size=batch_size, drop_last=drop_last)]


@register_check("3.11")
def check_batch_sampler() -> Iterator[Case]:
    """BatchSampler's batches, exactly torch's, and a DataLoader's batches of a TensorDataset."""
    import torch

    for size, batch_size, drop_last in [(10, 3, False), (10, 3, True), (8, 4, False), (3, 5, False), (3, 5, True),
                                        (4, 1, False)]:
        yield Case(f"{size} indices, batch_size={batch_size}, drop_last={drop_last}",
                   f"list(BatchSampler(SequentialSampler(range({size})), {batch_size}, {drop_last}))",
                   actual=lambda s=size, b=batch_size, d=drop_last: _batches(_api, s, b, d),
                   expected=lambda s=size, b=batch_size, d=drop_last: _batches(torch, s, b, d))
    yield Case("a DataLoader's batches", "DataLoader(TensorDataset(arange(14.).reshape(7, 2), arange(7)), "
               "batch_size=3): the (features, labels) batches",
               actual=lambda: _loader_batches(_api, 7, 3, False), expected=lambda: _loader_batches(torch, 7, 3, False))


# ---------------------------------------------------------------- 3.12: state_dict


class _Scaled:
    """Builds, for a library, a module with a parameter, a persistent and a non-persistent buffer, an absent
    bias and a submodule, inside a Sequential with BatchNorm (whose running statistics are buffers)."""

    @staticmethod
    def build(library: Any) -> Any:
        nn = library.nn

        class Scaled(nn.Module):
            def __init__(self):
                super().__init__()
                self.gain = nn.Parameter(library.ones(3))
                self.register_buffer("offset", library.zeros(3))
                self.register_buffer("cache", library.zeros(1), persistent=False)
                self.register_parameter("bias", None)
                self.head = nn.Linear(3, 2)

            def forward(self, x):
                return self.head(x * self.gain + self.offset)

        return nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), Scaled())


def _state(library: Any, keep_vars: bool, weights: Dict[str, Any], part: str) -> Any:
    """The model's ``state_dict(keep_vars=...)``, after loading ``weights``: its keys and the ``requires_grad``
    of each value (``part="keys"``), or its values."""
    model = _Scaled.build(library)
    model.load_state_dict(weights)
    state = model.state_dict(keep_vars=keep_vars)
    return (list(state), [v.requires_grad for v in state.values()]) if part == "keys" else list(state.values())


@register_check("3.12")
def check_state_dict() -> Iterator[Case]:
    """``state_dict``'s keys (in torch's order), values and detachment, for a nested model."""
    import torch

    torch.manual_seed(220)
    weights = {key: value.clone() for key, value in _Scaled.build(torch).state_dict().items()}
    model = ("Sequential(Linear(4, 3), BatchNorm1d(3), ReLU(), Scaled()) with Scaled's gain, offset (a buffer), "
             "cache (non-persistent), bias=None and head = Linear(3, 2)")
    for keep_vars in (False, True):
        for part, what in (("keys", "(keys, requires_grad of each value)"), ("values", "the values")):
            yield Case(f"keep_vars={keep_vars}: {part}", f"{model}: {what}",
                       actual=lambda k=keep_vars, p=part: _state(_api, k, weights, p),
                       expected=lambda k=keep_vars, p=part: _state(torch, k, weights, p))
    yield Case("torch loads yours", f"{model}, initialised by course_lib (seed 221): torch's model loads its "
               "state_dict (strict) and computes the same output for x = ones(2, 4) in eval mode",
               actual=lambda: _outputs_after_loading_into_torch()[0],
               expected=lambda: _outputs_after_loading_into_torch()[1])


def _outputs_after_loading_into_torch() -> tuple:
    """(course_lib's output, torch's output after ``load_state_dict`` of course_lib's state dict)."""
    import torch

    _api.manual_seed(221)
    ours, theirs = _Scaled.build(_api).eval(), _Scaled.build(torch).eval()
    theirs.load_state_dict(_api.interop.state_dict_to_torch(ours.state_dict()))
    return ours(_api.ones(2, 4)).detach(), theirs(torch.ones(2, 4)).detach()
