"""Bad inputs raise torch's exception type (and warn with torch's category), table-driven, both libraries.

Each row is one bad call written once, for ``L = torch`` and ``L = course_lib``. The test runs it in both
and compares the exception type and the warning categories; torch must raise or warn (so a row that is
not a bad input fails). Add a row with every operation added to course_lib.
"""

from __future__ import annotations

import warnings

import pytest
import torch

import course_lib


def _leaf(L):
    return L.ones(2, requires_grad=True)


def _backward_twice(L):
    y = (_leaf(L) * _leaf(L)).sum()
    y.backward()
    y.backward()


def _grad_unused(L):
    x, unused = _leaf(L), _leaf(L)
    L.autograd.grad((x * 2).sum(), [x, unused])


def _inplace_saved(L):
    x = _leaf(L)
    y = x.exp()
    z = y.sum() * 1
    y.add_(1)
    (y * x).sum().backward()
    return z


def _setattr_grad(L, value):
    x = _leaf(L)
    x.grad = value(L)


def _set_requires_grad(L, x, value):
    x.requires_grad = value


def _grad_of_a_constant(L, allow_unused):
    constant = L.ones(2)
    L.autograd.grad((_leaf(L) * 2).sum(), [constant], allow_unused=allow_unused)


def _backward_inputs_a_constant(L):
    (_leaf(L) * 2).sum().backward(inputs=[L.ones(2)])


def _freed_graph(L):
    y = _leaf(L).exp().sum()
    y.backward()
    y.backward()


def _write_into_view_of_leaf(L, make_view):
    make_view(_leaf(L)).mul_(2)


def _hook_changes_shape(L):
    x = _leaf(L)
    x.register_hook(lambda grad: L.ones(3))
    (x * 2).sum().backward()


def _module_before_init(L):
    class Early(L.nn.Module):
        def __init__(self):
            self.fc = L.nn.Linear(1, 1)
            super().__init__()

    Early()


def _load_edited_state(L, edit):
    model = L.nn.Linear(3, 2)
    state = model.state_dict()
    edit(L, state)
    model.load_state_dict(state)


def _sgd_groups_sharing(L):
    shared = _leaf(L)
    L.optim.SGD([{"params": [shared]}, {"params": [shared]}], lr=0.1)


def _load_a_file_with_a_function_inside(L):
    """torch.save of a tensor beside a function (a global that is not a tensor): a safe load refuses it."""
    import io
    buffer = io.BytesIO()
    torch.save({"weights": torch.ones(2), "hook": warnings.warn}, buffer)
    buffer.seek(0)
    return L.load(buffer, weights_only=True)


def _inf_grad(L):
    x = _leaf(L)
    x.grad = L.tensor([1.0, float("inf")])
    return [x]


BAD = {
    # creation
    "tensor ragged": lambda L: L.tensor([[1, 2], [3]]),
    "tensor of a string": lambda L: L.tensor("abc"),
    "tensor of strings": lambda L: L.tensor(["a", "b"]),
    "tensor of an object": lambda L: L.tensor([object()]),
    "zeros dtype as a string": lambda L: L.zeros(2, dtype="float"),
    "zeros negative size": lambda L: L.zeros(-1),
    "arange step 0": lambda L: L.arange(0, 5, 0),
    "arange wrong direction": lambda L: L.arange(5, 0, 1),
    "randint high <= low": lambda L: L.randint(5, 5, (2,)),
    "linspace negative steps": lambda L: L.linspace(0, 1, -1),
    "int tensor requires grad": lambda L: L.tensor([1, 2], requires_grad=True),
    "ones requires_grad int": lambda L: L.ones(2, dtype=L.int64).requires_grad_(),
    "tensor ragged: a number where a list is expected": lambda L: L.tensor([[1, 2], 3]),
    "tensor ragged: a list where a number is expected": lambda L: L.tensor([3, [1, 2]]),
    "tensor ragged deeper": lambda L: L.tensor([[[1], [2]], [3, 4]]),
    "tensor int beyond int64": lambda L: L.tensor(2**63),
    "tensor int below int64": lambda L: L.tensor([-2**63 - 1]),
    "tensor int beyond int64 as int8": lambda L: L.tensor([2**63], dtype=L.int8),
    "tensor 300 as int8": lambda L: L.tensor(300, dtype=L.int8),
    "tensor [1.0, 300] as int8": lambda L: L.tensor([1.0, 300], dtype=L.int8),
    "tensor -256 as uint8": lambda L: L.tensor([-256], dtype=L.uint8),
    "tensor 1e10 as int32": lambda L: L.tensor([1e10], dtype=L.int32),
    "tensor nan as int64": lambda L: L.tensor([float("nan")], dtype=L.int64),
    "tensor inf as int64": lambda L: L.tensor([float("inf")], dtype=L.int64),
    "new_tensor 300 as int8": lambda L: L.ones(2, dtype=L.int8).new_tensor([300]),
    "full 300 as int8": lambda L: L.full((2,), 300, dtype=L.int8),
    "full int beyond int64": lambda L: L.full((2,), 2**63),
    "full int beyond 64 bits": lambda L: L.full((2,), 2**64),
    "full -256 as uint8": lambda L: L.full((2,), -256, dtype=L.uint8),
    "full nan as int64": lambda L: L.full((2,), float("nan"), dtype=L.int64),
    "full 1e300 as float32": lambda L: L.full((2,), 1e300, dtype=L.float32),
    "full 1e10 as float16": lambda L: L.full((2,), 1e10, dtype=L.float16),
    "full_like 300 as int8": lambda L: L.full_like(L.ones(2, dtype=L.int8), 300),
    "arange to nan": lambda L: L.arange(0, float("nan")),
    "arange to inf": lambda L: L.arange(0, float("inf")),
    "eye negative n": lambda L: L.eye(-1),
    "zeros float size": lambda L: L.zeros(2.5),
    # shapes and views
    "view wrong size": lambda L: L.ones(6).view(4, 2),
    "view of a transpose": lambda L: L.ones(2, 3).t().view(6),
    "view float size": lambda L: L.ones(6).view(2, 3.0),
    "reshape two -1": lambda L: L.ones(6).reshape(-1, -1),
    "permute too few dims": lambda L: L.ones(2, 3).permute(0),
    "permute repeated dim": lambda L: L.ones(2, 3).permute(0, 0),
    "transpose dim out of range": lambda L: L.ones(2, 3).transpose(0, 2),
    "unsqueeze dim out of range": lambda L: L.ones(2).unsqueeze(3),
    "squeeze dim out of range": lambda L: L.ones(2).squeeze(2),
    "expand a non-1 size": lambda L: L.ones(2, 3).expand(4, 3),
    "expand fewer dims": lambda L: L.ones(2, 3).expand(3),
    "flatten start after end": lambda L: L.ones(2, 3, 4).flatten(2, 1),
    "narrow past the end": lambda L: L.ones(5).narrow(0, 3, 4),
    "select index out of range": lambda L: L.ones(2, 3).select(1, 5),
    "chunk 0": lambda L: L.ones(4).chunk(0),
    "t of a 3-d tensor": lambda L: L.ones(2, 3, 4).t(),
    ".T of a 3-d tensor (warns)": lambda L: L.ones(2, 3, 4).T,
    "cat empty list": lambda L: L.cat([]),
    "cat 0-d tensors": lambda L: L.cat([L.tensor(1.0), L.tensor(2.0)]),
    "cat different ranks": lambda L: L.cat([L.ones(2), L.ones(2, 2)]),
    "cat size mismatch": lambda L: L.cat([L.ones(2, 3), L.ones(2, 4)]),
    "stack different shapes": lambda L: L.stack([L.ones(2), L.ones(3)]),
    "view of an expanded tensor": lambda L: L.ones(3, 1).expand(3, 4).view(12),
    "view of a sliced transpose": lambda L: L.ones(4, 3).t()[1:].view(-1),
    "add_ into an expanded view": lambda L: L.ones(3).expand(2, 3).add_(1),
    "copy_ into an expanded view": lambda L: L.ones(1).expand(3).copy_(L.zeros(3)),
    "setitem through a view, shape mismatch": lambda L: L.zeros(2, 3)[0].__setitem__(slice(None), L.ones(2)),
    "expand -1 in a new leading dim": lambda L: L.ones(3).expand(-1, 3),
    "reshape -1 of 0 elements": lambda L: L.ones(0).reshape(-1, 0),
    "unflatten sizes that do not multiply": lambda L: L.ones(6).unflatten(0, (4, 2)),
    "split size 0": lambda L: L.ones(4).split(0),
    "movedim repeated destination": lambda L: L.ones(2, 3).movedim((0, 1), (0, 0)),
    "repeat fewer dims": lambda L: L.ones(2, 3).repeat(2),
    # elementwise
    "add shapes that do not broadcast": lambda L: L.ones(2, 3) + L.ones(4),
    "sub of bools": lambda L: L.tensor([True]) - L.tensor([False]),
    "neg of bools": lambda L: -L.tensor([True]),
    "bitwise and of floats": lambda L: L.ones(2) & L.ones(2),
    "invert a float tensor": lambda L: ~L.ones(2),
    "div bad rounding mode": lambda L: L.div(L.ones(2), 2, rounding_mode="up"),
    "where non-bool condition": lambda L: L.where(L.ones(2), L.ones(2), L.zeros(2)),
    "add a string": lambda L: L.ones(2) + "a",
    "in-place result type": lambda L: L.ones(2, dtype=L.int64).add_(1.5),
    "in-place broadcast to a bigger shape": lambda L: L.ones(3).add_(L.ones(2, 3)),
    "in-place int += float": lambda L: L.ones(2, dtype=L.int64).__iadd__(0.5),
    "in-place int add_ float tensor": lambda L: L.ones(2, dtype=L.int64).add_(L.ones(2)),
    "in-place bool add_ int": lambda L: L.ones(2, dtype=L.bool).add_(1),
    "in-place int div_": lambda L: L.ones(2, dtype=L.int64).div_(2),
    "in-place int sqrt_": lambda L: L.ones(2, dtype=L.int64).sqrt_(),
    "int pow a negative int": lambda L: L.ones(2, dtype=L.int64) ** -1,
    "int floor-divide by 0": lambda L: L.ones(2, dtype=L.int64) // 0,
    "int remainder by 0": lambda L: L.ones(2, dtype=L.int64) % 0,
    "out= of a narrower dtype": lambda L: L.add(L.ones(2), 1.5, out=L.zeros(2, dtype=L.int64)),
    "out= bool for a float result": lambda L: L.mul(L.ones(2), 2, out=L.zeros(2, dtype=L.bool)),
    "mm out= of another dtype": lambda L: L.mm(L.ones(2, 2), L.ones(2, 2), out=L.zeros(2, 2, dtype=L.int64)),
    "fill_ 300 into int8": lambda L: L.ones(2, dtype=L.int8).fill_(300),
    "fill_ nan into int64": lambda L: L.ones(2, dtype=L.int64).fill_(float("nan")),
    "clamp int8 max 300": lambda L: L.ones(2, dtype=L.int8).clamp(max=300),
    "where int8 or 300": lambda L: L.where(L.tensor([True]), L.ones(1, dtype=L.int8), 300),
    # reductions
    "sum keepdim not a bool": lambda L: L.ones(2).sum(dim=0, keepdim="yes"),
    "sum dim out of range": lambda L: L.ones(2, 3).sum(2),
    "mean of ints": lambda L: L.ones(2, dtype=L.int64).mean(),
    "max of an empty tensor": lambda L: L.ones(0).max(),
    "argmax of an empty tensor": lambda L: L.ones(0).argmax(),
    "var of ints": lambda L: L.ones(2, dtype=L.int64).var(),
    "cumsum dim out of range": lambda L: L.ones(2).cumsum(1),
    "topk k too large": lambda L: L.ones(3).topk(4),
    "sort dim out of range": lambda L: L.ones(3).sort(1),
    "softmax of ints": lambda L: L.softmax(L.tensor([1, 2]), 0),
    "softmax of bools": lambda L: L.tensor([True, False]).softmax(0),
    "log_softmax of ints": lambda L: L.nn.functional.log_softmax(L.tensor([1, 2]), 0),
    # linear algebra
    "mm shapes": lambda L: L.ones(2, 3) @ L.ones(2, 3),
    "mm of a 3-d tensor": lambda L: L.mm(L.ones(2, 2, 2), L.ones(2, 2)),
    "bmm of 2-d tensors": lambda L: L.bmm(L.ones(2, 2), L.ones(2, 2)),
    "dot of different sizes": lambda L: L.dot(L.ones(2), L.ones(3)),
    "dot of 2-d tensors": lambda L: L.dot(L.ones(2, 2), L.ones(2, 2)),
    "matmul of 0-d tensors": lambda L: L.matmul(L.tensor(1.0), L.tensor(2.0)),
    "mv shapes": lambda L: L.mv(L.ones(2, 3), L.ones(2)),
    "matmul mixed dtypes": lambda L: L.ones(2, 2) @ L.ones(2, 2, dtype=L.float64),
    "matmul of bools": lambda L: L.tensor([[True]]) @ L.tensor([[True]]),
    "batched matmul of bools": lambda L: L.ones(2, 2, 2, dtype=L.bool) @ L.ones(2, 2, dtype=L.bool),
    "mv of bools": lambda L: L.mv(L.tensor([[True]]), L.tensor([True])),
    "dot of bools": lambda L: L.dot(L.tensor([True]), L.tensor([True])),
    "bmm of bools": lambda L: L.bmm(L.tensor([[[True]]]), L.tensor([[[True]]])),
    # indexing
    "index out of range": lambda L: L.ones(3)[5],
    "too many indices": lambda L: L.ones(3)[0, 0],
    "bool mask of the wrong shape": lambda L: L.ones(3)[L.tensor([True, False])],
    "index with a float tensor": lambda L: L.ones(3)[L.tensor([0.0])],
    "index_select with a 2-d index": lambda L: L.ones(3).index_select(0, L.tensor([[0]])),
    "masked_fill with an int mask": lambda L: L.ones(2).masked_fill(L.tensor([1, 0]), 0.0),
    "setitem shape mismatch": lambda L: L.ones(3).__setitem__(slice(0, 2), L.ones(3)),
    "item of two elements": lambda L: L.ones(2).item(),
    "bool of two elements": lambda L: bool(L.ones(2)),
    "len of a 0-d tensor": lambda L: len(L.tensor(1.0)),
    "iterate a 0-d tensor": lambda L: iter(L.tensor(1.0)),
    "index a 0-d tensor": lambda L: L.tensor(1.0)[0],
    "negative index out of range": lambda L: L.ones(3)[-4],
    "index tensor out of range": lambda L: L.ones(3)[L.tensor([3])],
    "setitem index out of range": lambda L: L.ones(3).__setitem__(5, 1.0),
    "setitem index tensor out of range": lambda L: L.ones(3).__setitem__(L.tensor([5]), 1.0),
    "setitem 300 into int8": lambda L: L.ones(2, dtype=L.int8).__setitem__(0, 300),
    "setitem bool mask of the wrong shape": lambda L: L.ones(3).__setitem__(L.tensor([True, False]), 1.0),
    "2-d bool mask of the wrong shape": lambda L: L.ones(2, 3)[L.ones(3, 2, dtype=L.bool)],
    "negative step slice": lambda L: L.ones(3)[::-1],
    "zero step slice": lambda L: L.ones(3)[::0],
    "setitem negative step slice": lambda L: L.ones(3).__setitem__(slice(None, None, -1), 0.0),
    "index with a float": lambda L: L.ones(3)[1.0],
    "too many indices with slices": lambda L: L.ones(3)[:, :],
    "too many indices with an ellipsis": lambda L: L.ones(3)[0, ..., 0],
    "ellipses skip every dim, then an int": lambda L: L.ones(2, 3, 4)[..., 0, ..., 0],
    "ellipses skip every dim, then a slice": lambda L: L.ones(2, 3, 4)[..., ..., 1:],
    "index_select float index": lambda L: L.ones(3).index_select(0, L.tensor([0.0])),
    "index_select out of range": lambda L: L.ones(3).index_select(0, L.tensor([5])),
    "gather index of another rank": lambda L: L.ones(2, 2).gather(1, L.tensor([0])),
    "gather index out of range": lambda L: L.ones(2, 2).gather(1, L.tensor([[5], [0]])),
    "gather negative index": lambda L: L.ones(2, 2).gather(1, L.tensor([[-1], [0]])),
    "scatter float index": lambda L: L.zeros(3).scatter(0, L.tensor([0.0]), 1.0),
    "masked_fill 300 into int8": lambda L: L.ones(2, dtype=L.int8).masked_fill(L.tensor([True, False]), 300),
    "masked_fill a 1-d value": lambda L: L.ones(2).masked_fill(L.tensor([True, False]), L.ones(2)),
    # autograd
    "backward of a non-scalar": lambda L: (_leaf(L) * 2).backward(),
    "backward without grad": lambda L: L.ones(2).sum().backward(),
    "backward twice": _backward_twice,
    "grad of an unused input": _grad_unused,
    "in-place on a leaf that requires grad": lambda L: _leaf(L).add_(1),
    "in-place change of a saved tensor": _inplace_saved,
    "requires_grad_(False) on a non-leaf": lambda L: (_leaf(L) * 2).requires_grad_(False),
    "retain_grad without requires_grad": lambda L: L.ones(2).retain_grad(),
    "assign a grad of another shape": lambda L: _setattr_grad(L, lambda L: L.zeros(3, 2)),
    "assign a grad of another dtype": lambda L: _setattr_grad(L, lambda L: L.zeros(2, dtype=L.int64)),
    "assign a list as grad": lambda L: _setattr_grad(L, lambda L: [1.0, 2.0]),
    ".grad of a non-leaf (warns)": lambda L: (_leaf(L) * 2).grad,
    "requires_grad = True on an int tensor": lambda L: _set_requires_grad(L, L.tensor([1, 2]), True),
    "requires_grad = True on a bool tensor": lambda L: _set_requires_grad(L, L.tensor([True]), True),
    "requires_grad = a non-bool": lambda L: _set_requires_grad(L, L.ones(2), 1),
    "requires_grad = False on a non-leaf": lambda L: _set_requires_grad(L, _leaf(L) * 2, False),
    "requires_grad = True on a non-leaf": lambda L: _set_requires_grad(L, _leaf(L) * 2, True),
    "requires_grad_ of a non-bool": lambda L: L.ones(2).requires_grad_(1),
    "grad of a tensor that does not require grad": lambda L: _grad_of_a_constant(L, allow_unused=False),
    "grad of a tensor that does not require grad, allow_unused": lambda L: _grad_of_a_constant(L, allow_unused=True),
    "backward inputs= a tensor that does not require grad": _backward_inputs_a_constant,
    "grad of an output without a graph": lambda L: L.autograd.grad(L.ones(2).sum(), [L.ones(2)]),
    "grad of an int output": lambda L: L.autograd.grad(_leaf(L).argmax(), [_leaf(L)]),
    "grad of a non-scalar without grad_outputs": lambda L: L.autograd.grad(_leaf(L) * 2, [_leaf(L)]),
    "grad_outputs of another shape": lambda L: L.autograd.grad(_leaf(L) * 2, [_leaf(L)], grad_outputs=[L.ones(3)]),
    "backward gradient of another shape": lambda L: (_leaf(L) * 2).backward(L.ones(3)),
    "backward through a freed graph": _freed_graph,
    "in-place on a selected view of a leaf": lambda L: _write_into_view_of_leaf(L, lambda x: x[0]),
    "in-place on a view of a leaf": lambda L: _write_into_view_of_leaf(L, lambda x: x.view(2)),
    "hook returns another shape": _hook_changes_shape,
    "out= with an input that requires grad": lambda L: L.mm(_leaf(L).reshape(2, 1), _leaf(L).reshape(1, 2),
                                                             out=L.zeros(2, 2)),
    # nn: modules and optimizers
    "module assigned before super().__init__()": _module_before_init,
    "tensor assigned to a parameter": lambda L: setattr(L.nn.Linear(1, 1), "weight", L.ones(1, 1)),
    "buffer name with a dot": lambda L: L.nn.Module().register_buffer("a.b", L.ones(1)),
    "load_state_dict missing key": lambda L: _load_edited_state(L, lambda L, s: s.pop("bias")),
    "load_state_dict unexpected key": lambda L: _load_edited_state(L, lambda L, s: s.update(extra=L.ones(1))),
    "load_state_dict mis-shaped key": lambda L: _load_edited_state(L, lambda L, s: s.update(bias=L.ones(3))),
    "load_state_dict of a list": lambda L: L.nn.Linear(1, 1).load_state_dict([]),
    "Linear of the wrong in_features": lambda L: L.nn.Linear(3, 2)(L.ones(4, 5)),
    "Module without forward": lambda L: L.nn.Module()(L.ones(1)),
    "Module.to(int64)": lambda L: L.nn.Linear(1, 1).to(L.int64),
    "Module.train of a string": lambda L: L.nn.Linear(1, 1).train("yes"),
    "get_submodule of a missing name": lambda L: L.nn.Sequential(L.nn.ReLU()).get_submodule("1"),
    "Sequential()[5]": lambda L: L.nn.Sequential()[5],
    "Sequential + list": lambda L: L.nn.Sequential() + [L.nn.ReLU()],
    "ModuleList index out of range": lambda L: L.nn.ModuleList([L.nn.ReLU()])[1],
    "ModuleList.extend of a module": lambda L: L.nn.ModuleList().extend(L.nn.ReLU()),
    "ModuleDict missing key": lambda L: L.nn.ModuleDict()["a"],
    "Parameter of an int tensor": lambda L: L.nn.Parameter(L.tensor([1, 2])),
    "SGD(lr=-1)": lambda L: L.optim.SGD([_leaf(L)], lr=-1),
    "SGD(tensor)": lambda L: L.optim.SGD(_leaf(L), lr=0.1),
    "SGD of an empty list": lambda L: L.optim.SGD([], lr=0.1),
    "SGD of a non-leaf": lambda L: L.optim.SGD([_leaf(L) * 2], lr=0.1),
    "SGD nesterov without momentum": lambda L: L.optim.SGD([_leaf(L)], lr=0.1, nesterov=True),
    "SGD with a parameter in two groups": _sgd_groups_sharing,
    "Adam of an empty list": lambda L: L.optim.Adam([]),
    "Adam(lr=-1)": lambda L: L.optim.Adam([_leaf(L)], lr=-1),
    "Adam beta of 1": lambda L: L.optim.Adam([_leaf(L)], betas=(0.9, 1.0)),
    "AdamW negative weight decay": lambda L: L.optim.AdamW([_leaf(L)], weight_decay=-1e-2),
    "RMSprop negative alpha": lambda L: L.optim.RMSprop([_leaf(L)], alpha=-0.9),
    "Adagrad negative lr_decay": lambda L: L.optim.Adagrad([_leaf(L)], lr_decay=-0.1),
    "Adadelta rho above 1": lambda L: L.optim.Adadelta([_leaf(L)], rho=1.1),
    "StepLR of a list": lambda L: L.optim.lr_scheduler.StepLR([_leaf(L)], step_size=1),
    "ReduceLROnPlateau factor of 2": lambda L: L.optim.lr_scheduler.ReduceLROnPlateau(
        L.optim.SGD([_leaf(L)], lr=0.1), factor=2.0),
    "addcdiv of integers": lambda L: L.addcdiv(L.zeros(2), L.tensor([1, 2]), L.tensor([3, 4])),
    # utils.data
    "DataLoader batch_size=0": lambda L: L.utils.data.DataLoader(range(4), batch_size=0),
    "DataLoader sampler and shuffle": lambda L: L.utils.data.DataLoader(range(4), sampler=range(4), shuffle=True),
    "DataLoader negative num_workers": lambda L: L.utils.data.DataLoader(range(4), num_workers=-2),
    "TensorDataset of unequal tensors": lambda L: L.utils.data.TensorDataset(L.ones(2, 3), L.ones(3)),
    "random_split lengths that do not add up": lambda L: L.utils.data.random_split(range(4), [1, 1]),
    # save/load
    "load of a file with a function inside": _load_a_file_with_a_function_inside,
    # nn: convolution and pooling
    "conv2d of a 2-d input": lambda L: L.nn.functional.conv2d(L.ones(5, 5), L.ones(2, 1, 3, 3)),
    "conv2d channels that do not match": lambda L: L.nn.functional.conv2d(L.ones(1, 2, 5, 5), L.ones(4, 3, 3, 3)),
    "conv2d kernel larger than the input": lambda L: L.nn.functional.conv2d(L.ones(1, 3, 2, 2), L.ones(4, 3, 3, 3)),
    "conv2d bias of another size": lambda L: L.nn.functional.conv2d(L.ones(1, 3, 5, 5), L.ones(4, 3, 3, 3), L.ones(3)),
    "conv2d zero stride": lambda L: L.nn.functional.conv2d(L.ones(1, 3, 5, 5), L.ones(4, 3, 3, 3), stride=0),
    "conv2d negative padding": lambda L: L.nn.functional.conv2d(L.ones(1, 3, 5, 5), L.ones(4, 3, 3, 3), padding=-1),
    "conv2d padding same with a stride": lambda L: L.nn.functional.conv2d(L.ones(1, 3, 5, 5), L.ones(4, 3, 3, 3),
                                                                         padding="same", stride=2),
    "conv2d unknown padding string": lambda L: L.nn.functional.conv2d(L.ones(1, 3, 5, 5), L.ones(4, 3, 3, 3),
                                                                     padding="full"),
    "conv2d three strides": lambda L: L.nn.functional.conv2d(L.ones(1, 3, 5, 5), L.ones(4, 3, 3, 3), stride=(1, 1, 1)),
    "conv2d float64 input, float32 weight": lambda L: L.nn.functional.conv2d(L.ones(1, 3, 5, 5, dtype=L.float64),
                                                                            L.ones(4, 3, 3, 3)),
    "pad odd length": lambda L: L.nn.functional.pad(L.ones(3, 3), (1,)),
    "pad longer than the dimensions": lambda L: L.nn.functional.pad(L.ones(3, 3), (1, 1, 1, 1, 1, 1)),
    "pad unknown mode": lambda L: L.nn.functional.pad(L.ones(1, 3, 3), (1, 1), mode="foo"),
    "pad crops below zero": lambda L: L.nn.functional.pad(L.ones(3, 3), (-2, -2)),
    "pad reflect as wide as the input": lambda L: L.nn.functional.pad(L.ones(1, 3, 3), (3, 3), mode="reflect"),
    "pad circular wraps twice": lambda L: L.nn.functional.pad(L.ones(1, 1, 3), (4, 4), mode="circular"),
    "pad replicate of a 1-d input": lambda L: L.nn.functional.pad(L.ones(3), (1, 1), mode="replicate"),
    "unfold (im2col) of a 2-d input": lambda L: L.nn.functional.unfold(L.ones(3, 5), 2),
    "unfold (im2col) kernel larger than the input": lambda L: L.nn.functional.unfold(L.ones(1, 3, 5, 5), 6),
    "unfold (im2col) zero kernel": lambda L: L.nn.functional.unfold(L.ones(1, 3, 5, 5), 0),
    "Tensor.unfold size larger than the dimension": lambda L: L.ones(2, 5).unfold(1, 6, 1),
    "Tensor.unfold zero step": lambda L: L.ones(2, 5).unfold(1, 2, 0),
    "Tensor.unfold dimension out of range": lambda L: L.ones(2, 5).unfold(2, 2, 1),
    "max_pool2d of a 2-d input": lambda L: L.nn.functional.max_pool2d(L.ones(5, 5), 2),
    "max_pool2d kernel larger than the input": lambda L: L.nn.functional.max_pool2d(L.ones(1, 1, 2, 2), 3),
    "max_pool2d padding over half the kernel": lambda L: L.nn.functional.max_pool2d(L.ones(1, 1, 6, 6), 2, padding=2),
    "max_pool2d zero stride": lambda L: L.nn.functional.max_pool2d(L.ones(1, 1, 6, 6), 2, stride=0),
    "max_pool2d empty plane": lambda L: L.nn.functional.max_pool2d(L.ones(1, 1, 0, 6), 1),
    "avg_pool2d of a 2-d input": lambda L: L.nn.functional.avg_pool2d(L.ones(5, 5), 2),
    "avg_pool2d kernel larger than the input": lambda L: L.nn.functional.avg_pool2d(L.ones(1, 1, 2, 2), 3),
    "avg_pool2d zero divisor_override": lambda L: L.nn.functional.avg_pool2d(L.ones(1, 1, 6, 6), 2, divisor_override=0),
    "adaptive_avg_pool2d of a 2-d input": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(5, 5), 2),
    "adaptive_avg_pool2d three sizes": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(1, 5, 5), (1, 2, 3)),
    "adaptive_avg_pool2d negative size": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(1, 5, 5), -1),
    "adaptive_avg_pool2d empty channels": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(1, 0, 5), 2),
    "adaptive_avg_pool2d of ints": lambda L: L.nn.functional.adaptive_avg_pool2d(L.ones(1, 5, 5, dtype=L.int64), 2),
    "Conv2d channels not divisible by groups": lambda L: L.nn.Conv2d(3, 2, 3, groups=2),
    "Conv2d zero groups": lambda L: L.nn.Conv2d(3, 2, 3, groups=0),
    "Conv2d unknown padding mode": lambda L: L.nn.Conv2d(1, 2, 3, padding_mode="foo"),
    "Conv2d padding same with a stride": lambda L: L.nn.Conv2d(3, 2, 3, stride=2, padding="same"),
    # nn: activations and random
    "dropout p < 0": lambda L: L.nn.functional.dropout(L.ones(3), -0.1),
    "dropout p > 1": lambda L: L.nn.functional.dropout(L.ones(3), 1.5),
    "Dropout p > 1": lambda L: L.nn.Dropout(2.0),
    "dropout of an int tensor": lambda L: L.nn.functional.dropout(L.ones(3, dtype=L.int64)),
    "gelu approximate unknown": lambda L: L.nn.functional.gelu(L.ones(2), approximate="erf"),
    "gelu of an int tensor": lambda L: L.nn.functional.gelu(L.tensor([1, 2])),
    "leaky_relu of an int tensor": lambda L: L.nn.functional.leaky_relu(L.tensor([1, 2])),
    "leaky_relu inplace on a leaf": lambda L: L.nn.functional.leaky_relu(_leaf(L), inplace=True),
    "Unflatten size an int": lambda L: L.nn.Unflatten(1, 5),
    "bernoulli_ p > 1": lambda L: L.empty(3).bernoulli_(1.5),
    "bernoulli_ tensor p > 1": lambda L: L.empty(2).bernoulli_(L.tensor([0.5, 2.0])),
    "bernoulli of an int tensor": lambda L: L.bernoulli(L.tensor([1, 0])),
    "random_ from >= to": lambda L: L.empty(3).random_(5, 2),
    "random_ float bounds": lambda L: L.empty(3).random_(0.5, 3.7),
    "random_ beyond int8": lambda L: L.empty(3, dtype=L.int8).random_(0, 200),
    "random_ beyond float32's exact integers": lambda L: L.empty(3).random_(0, 2 ** 25),
    "exponential_ lambda 0": lambda L: L.empty(3).exponential_(0),
    "exponential_ of an int tensor": lambda L: L.empty(3, dtype=L.int64).exponential_(),
    "multinomial negative weight": lambda L: L.multinomial(L.tensor([1.0, -1.0]), 1),
    "multinomial samples > categories without replacement": lambda L: L.multinomial(L.ones(2), 3),
    "multinomial zero samples": lambda L: L.multinomial(L.ones(2), 0),
    "multinomial all-zero row": lambda L: L.multinomial(L.zeros(2, 3), 1),
    "multinomial int weights": lambda L: L.multinomial(L.tensor([1, 1]), 1),
    "clip_grad_norm_ non-finite": lambda L: L.nn.utils.clip_grad_norm_(_inf_grad(L), 1.0, error_if_nonfinite=True),
    "vector_to_parameters of a list": lambda L: L.nn.utils.vector_to_parameters([1.0], [_leaf(L)]),
    "xavier_uniform_ of a 1-d tensor": lambda L: L.nn.init.xavier_uniform_(L.empty(5)),
    "kaiming_normal_ bad mode": lambda L: L.nn.init.kaiming_normal_(L.empty(3, 4), mode="fan_avg"),
    # nn: losses and normalization
    "cross_entropy float target of another shape": lambda L: L.nn.functional.cross_entropy(L.ones(3, 4), L.ones(3, 2)),
    "cross_entropy float target of the batch's shape": lambda L: L.nn.functional.cross_entropy(L.ones(3, 4),
                                                                                              L.ones(3)),
    "cross_entropy int32 target": lambda L: L.nn.functional.cross_entropy(L.ones(3, 4), L.tensor([0, 1, 2],
                                                                                                dtype=L.int32)),
    "cross_entropy class index out of range": lambda L: L.nn.functional.cross_entropy(L.ones(2, 4), L.tensor([0, 4])),
    "cross_entropy negative class index": lambda L: L.nn.functional.cross_entropy(L.ones(2, 4), L.tensor([-1, 0])),
    "cross_entropy batch size mismatch": lambda L: L.nn.functional.cross_entropy(L.ones(3, 4), L.tensor([0, 1])),
    "cross_entropy 2-d target of a 2-d input": lambda L: L.nn.functional.cross_entropy(L.ones(3, 4),
                                                                                      L.zeros(3, 1, dtype=L.int64)),
    "cross_entropy spatial target of another size": lambda L: L.nn.functional.cross_entropy(
        L.ones(2, 4, 3), L.zeros(2, 2, dtype=L.int64)),
    "cross_entropy label_smoothing above 1": lambda L: L.nn.functional.cross_entropy(L.ones(2, 4), L.tensor([0, 1]),
                                                                                    label_smoothing=1.5),
    "cross_entropy ignore_index with float targets": lambda L: L.nn.functional.cross_entropy(
        L.ones(2, 4), L.ones(2, 4), ignore_index=1),
    "cross_entropy unknown reduction": lambda L: L.nn.functional.cross_entropy(L.ones(2, 4), L.tensor([0, 1]),
                                                                              reduction="avg"),
    "cross_entropy weight that requires grad": lambda L: L.nn.functional.cross_entropy(
        L.ones(2, 4), L.tensor([0, 1]), weight=L.ones(4, requires_grad=True)),
    "nll_loss class index out of range": lambda L: L.nn.functional.nll_loss(L.ones(2, 4), L.tensor([0, 9])),
    "mse_loss target of another size (warns)": lambda L: L.nn.functional.mse_loss(L.ones(3, 4), L.ones(4)),
    "mse_loss sizes that do not broadcast": lambda L: L.nn.functional.mse_loss(L.ones(3, 4), L.ones(5)),
    "mse_loss of int tensors": lambda L: L.nn.functional.mse_loss(L.tensor([1, 2]), L.tensor([1, 3])),
    "mse_loss weight of another shape": lambda L: L.nn.functional.mse_loss(L.ones(3), L.ones(3), weight=L.ones(1)),
    "l1_loss target of another size (warns)": lambda L: L.nn.functional.l1_loss(L.ones(3, 4), L.ones(1, 4)),
    "smooth_l1_loss negative beta": lambda L: L.nn.functional.smooth_l1_loss(L.ones(3), L.ones(3), beta=-1.0),
    "huber_loss delta 0": lambda L: L.nn.functional.huber_loss(L.ones(3), L.ones(3), delta=0.0),
    "binary_cross_entropy input above 1": lambda L: L.nn.functional.binary_cross_entropy(L.tensor([1.5]),
                                                                                        L.tensor([1.0])),
    "binary_cross_entropy NaN input": lambda L: L.nn.functional.binary_cross_entropy(L.tensor([float("nan")]),
                                                                                    L.tensor([1.0])),
    "binary_cross_entropy target below 0": lambda L: L.nn.functional.binary_cross_entropy(L.tensor([0.5]),
                                                                                         L.tensor([-0.5])),
    "binary_cross_entropy target of another size": lambda L: L.nn.functional.binary_cross_entropy(
        L.full((3, 4), 0.5), L.full((4,), 0.5)),
    "binary_cross_entropy float64 target": lambda L: L.nn.functional.binary_cross_entropy(
        L.full((3,), 0.5), L.full((3,), 0.5, dtype=L.float64)),
    "binary_cross_entropy weight that does not broadcast": lambda L: L.nn.functional.binary_cross_entropy(
        L.full((3, 4), 0.5), L.full((3, 4), 0.5), weight=L.ones(5)),
    "binary_cross_entropy_with_logits target of another size": lambda L:
        L.nn.functional.binary_cross_entropy_with_logits(L.ones(3, 4), L.ones(4)),
    "binary_cross_entropy_with_logits pos_weight that does not broadcast": lambda L:
        L.nn.functional.binary_cross_entropy_with_logits(L.ones(3, 4), L.ones(3, 4), pos_weight=L.ones(5)),
    "one_hot of negative values": lambda L: L.nn.functional.one_hot(L.tensor([-1, 2])),
    "one_hot of floats": lambda L: L.nn.functional.one_hot(L.tensor([1.0, 2.0])),
    "one_hot of a class >= num_classes": lambda L: L.nn.functional.one_hot(L.tensor([1, 5]), 3),
    "one_hot of an empty tensor, num_classes=-1": lambda L: L.nn.functional.one_hot(L.tensor([], dtype=L.int64)),
    "embedding of float indices": lambda L: L.nn.functional.embedding(L.tensor([1.0]), L.ones(3, 2)),
    "embedding index out of range": lambda L: L.nn.functional.embedding(L.tensor([3]), L.ones(3, 2)),
    "embedding negative index": lambda L: L.nn.functional.embedding(L.tensor([-1]), L.ones(3, 2)),
    "embedding padding_idx outside the table": lambda L: L.nn.functional.embedding(L.tensor([1]), L.ones(3, 2),
                                                                                  padding_idx=3),
    "Embedding padding_idx outside the table": lambda L: L.nn.Embedding(3, 2, padding_idx=-4),
    "layer_norm wrong normalized_shape": lambda L: L.nn.functional.layer_norm(L.ones(3, 4), (5,)),
    "layer_norm normalized_shape longer than the input": lambda L: L.nn.functional.layer_norm(L.ones(3, 4),
                                                                                             (2, 3, 4)),
    "layer_norm normalized_shape an int": lambda L: L.nn.functional.layer_norm(L.ones(3, 4), 4),
    "layer_norm weight of another shape": lambda L: L.nn.functional.layer_norm(L.ones(3, 4), (4,), weight=L.ones(3)),
    "layer_norm empty normalized_shape": lambda L: L.nn.functional.layer_norm(L.ones(3, 4), ()),
    "batch_norm one value per channel in training": lambda L: L.nn.functional.batch_norm(
        L.ones(1, 3), L.zeros(3), L.ones(3), training=True),
    "batch_norm evaluation without running stats": lambda L: L.nn.functional.batch_norm(L.ones(2, 3), None, None),
    "batch_norm running_mean of another length": lambda L: L.nn.functional.batch_norm(L.ones(2, 3), L.zeros(4),
                                                                                      L.ones(4), training=True),
    "batch_norm weight of another length": lambda L: L.nn.functional.batch_norm(
        L.ones(2, 3), L.zeros(3), L.ones(3), weight=L.ones(4), training=True),
    "BatchNorm2d given a 3-d input": lambda L: L.nn.BatchNorm2d(3)(L.ones(2, 3, 4)),
    "BatchNorm1d given a 4-d input": lambda L: L.nn.BatchNorm1d(3)(L.ones(2, 3, 4, 4)),
    "BatchNorm1d given another channel count": lambda L: L.nn.BatchNorm1d(3)(L.ones(2, 4)),
}


def outcome(L, call) -> tuple:
    """(exception type name or None, warning category names) of ``call(L)``.

    torch's warn-once warnings (``.T`` of a 3-d tensor) are made to warn every time: each device's run of a
    test sees them."""
    warn_always = torch.is_warn_always_enabled()
    torch.set_warn_always(True)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                call(L)
                error = None
            except Exception as raised:  # noqa: BLE001 - the type is what is compared
                error = type(raised).__name__
    finally:
        torch.set_warn_always(warn_always)
    return error, sorted({w.category.__name__ for w in caught})


def test_the_table_is_large_enough():
    assert len(BAD) >= 180


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_input_gets_torchs_exception_type_and_warning(name):
    theirs = outcome(torch, BAD[name])
    assert theirs[0] is not None or theirs[1], f"torch accepts {name!r}: not a bad input"
    assert outcome(course_lib, BAD[name]) == theirs
