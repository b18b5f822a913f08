"""``nn.Module`` and ``nn.Parameter`` against torch: registration, the walks over the tree, modes, hooks,
``to()``, ``state_dict``/``load_state_dict`` (with torch's error messages) and ``repr``.

Each test is a function of the library ``L``, run with torch and with course_lib (``helpers.both``): what
it returns, or the exception it raises (type and message), must be the same.
"""

from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import pytest
import torch

import course_lib
from helpers.both import plain, raises_both, run_both
from helpers.devices import torch_device
from helpers.nn import ours


class Net:
    """A small model of each library: ``fc`` (Linear 3->4), ``act``, ``head`` (Sequential of two Linears),
    a persistent buffer ``steps`` (int64) and a non-persistent one ``cache``."""

    def __new__(cls, L):
        class Net(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = L.nn.Linear(3, 4)
                self.act = L.nn.ReLU()
                self.head = L.nn.Sequential(L.nn.Linear(4, 4), L.nn.ReLU(), L.nn.Linear(4, 2, bias=False))
                self.register_buffer("steps", L.zeros(2, dtype=L.int64))
                self.register_buffer("cache", L.ones(3), persistent=False)

            def forward(self, x):
                return self.head(self.act(self.fc(x)))

        return Net()


def names(pairs):
    return [name for name, _ in pairs]


# ---------------------------------------------------------------------------------------------- registration


def test_the_walks_list_names_in_torchs_order():
    def walks(L):
        model = Net(L)
        return (names(model.named_parameters()), names(model.named_buffers()), names(model.named_children()),
                names(model.named_modules()), [type(m).__name__ for m in model.modules()],
                [type(m).__name__ for m in model.children()], len(list(model.parameters())),
                names(model.named_parameters(prefix="net", recurse=False)),
                names(model.head.named_parameters(prefix="head")), len(list(model.buffers(recurse=False))))

    run_both(walks)


def test_a_shared_parameter_and_module_are_listed_once():
    def shared(L):
        model = L.nn.Module()
        model.a = L.nn.Linear(2, 2)
        model.b = model.a
        model.c = L.nn.Linear(2, 2)
        model.c.weight = model.a.weight
        return (names(model.named_parameters()), names(model.named_modules()), names(model.named_children()),
                names(model.named_parameters(remove_duplicate=False)), list(model.state_dict()))

    run_both(shared)


def test_registering_replaces_and_deletes_like_torch():
    def registration(L):
        model = L.nn.Module()
        model.w = L.nn.Parameter(L.ones(2))
        model.register_buffer("b", L.ones(1))
        model.b = L.zeros(1)  # a tensor assigned to a buffer name stays a buffer
        model.b2 = L.ones(1)  # a tensor assigned to a new name is a plain attribute
        model.register_buffer("none", None)
        model.register_buffer("cleared", L.ones(1))
        model.cleared = None  # a buffer name accepts None (and stays a buffer, left out of the walks)
        model.register_parameter("absent", None)
        model.sub = L.nn.ReLU()
        model.sub = None
        model.w = None  # a parameter name accepts None
        before = (names(model.named_parameters()), names(model.named_buffers()), list(model._parameters),
                  list(model._buffers), list(model._modules), model.b, model.w, model.sub)
        model.w = L.nn.Parameter(L.zeros(3))
        del model.b
        del model.sub
        model.b2 = L.nn.Parameter(L.ones(1))  # a plain attribute becomes a parameter
        return before, list(model._parameters), list(model._buffers), list(model._modules), hasattr(model, "b")

    run_both(registration)


@pytest.mark.parametrize("bad", ["tensor to a parameter", "int to a parameter", "tensor to a module",
                                 "int to a buffer", "buffer named like a parameter", "buffer name with a dot",
                                 "empty buffer name", "non-string buffer name", "buffer of a list",
                                 "parameter of a tensor", "parameter named like an attribute",
                                 "module of a tensor", "module name with a dot", "empty module name",
                                 "missing attribute", "delete a missing attribute"])
def test_bad_registrations_raise_torchs_errors(bad):
    def register(L):
        model = L.nn.Linear(2, 2)
        {
            "tensor to a parameter": lambda: setattr(model, "weight", L.ones(2, 2)),
            "int to a parameter": lambda: setattr(model, "bias", 3),
            "tensor to a module": lambda: setattr(_with_child(L, model), "child", L.ones(1)),
            "int to a buffer": lambda: (model.register_buffer("b", L.ones(1)), setattr(model, "b", 1)),
            "buffer named like a parameter": lambda: model.register_buffer("weight", L.ones(1)),
            "buffer name with a dot": lambda: model.register_buffer("a.b", L.ones(1)),
            "empty buffer name": lambda: model.register_buffer("", L.ones(1)),
            "non-string buffer name": lambda: model.register_buffer(1, L.ones(1)),
            "buffer of a list": lambda: model.register_buffer("b", [1.0]),
            "parameter of a tensor": lambda: model.register_parameter("p", L.ones(1)),
            "parameter named like an attribute": lambda: model.register_parameter("in_features",
                                                                                  L.nn.Parameter(L.ones(1))),
            "module of a tensor": lambda: model.add_module("m", L.ones(1)),
            "module name with a dot": lambda: model.add_module("a.b", L.nn.ReLU()),
            "empty module name": lambda: model.add_module("", L.nn.ReLU()),
            "missing attribute": lambda: model.nothing,
            "delete a missing attribute": lambda: delattr(model, "nothing"),
        }[bad]()

    # torch's buffer message names torch.nn.Buffer, which course_lib does not have
    raises_both(register, message=bad != "int to a buffer")


def _with_child(L, model):
    model.child = L.nn.ReLU()
    return model


@pytest.mark.parametrize("what", ["parameter", "module", "buffer"])
def test_assigning_before_super_init_raises_attribute_error(what):
    def early(L):
        class Early(L.nn.Module):
            def __init__(self):
                if what == "parameter":
                    self.w = L.nn.Parameter(L.ones(1))
                elif what == "module":
                    self.m = L.nn.ReLU()
                else:
                    self.register_buffer("b", L.ones(1))
                super().__init__()

        Early()

    raises_both(early)


def test_a_plain_attribute_before_super_init_is_allowed():
    def early(L):
        class Early(L.nn.Module):
            def __init__(self):
                self.size = 3
                super().__init__()

        return Early().size

    run_both(early)


def test_get_submodule_parameter_and_buffer():
    def get(L):
        model = Net(L)
        return (type(model.get_submodule("head.2")).__name__, model.get_submodule("") is model,
                model.get_parameter("head.0.bias").shape, model.get_buffer("steps").dtype)

    run_both(get)


@pytest.mark.parametrize("target", ["head.9", "nothing.0", "fc.weight", "fc.weight.x"])
def test_get_submodule_errors(target):
    raises_both(lambda L: Net(L).get_submodule(target))


@pytest.mark.parametrize("target", ["head.0.nothing", "act.inplace", "steps"])
def test_get_parameter_errors(target):
    raises_both(lambda L: Net(L).get_parameter(target))


def test_dir_lists_the_registered_names_but_not_numbers():
    def listing(L):
        model = Net(L)
        return ([name for name in dir(model) if not name.startswith("_") and name not in dir(type(model))],
                [name for name in dir(model.head) if name.isdigit()])

    run_both(listing)


# ---------------------------------------------------------------------------------------------- modes, hooks


def test_train_and_eval_reach_every_submodule():
    def modes(L):
        model = Net(L)
        seen = [[m.training for m in model.modules()]]
        assert model.eval() is model
        seen.append([m.training for m in model.modules()])
        model.head.train()
        seen.append([m.training for m in model.modules()])
        model.train(False)
        return seen + [[m.training for m in model.modules()]]

    run_both(modes)


@pytest.mark.parametrize("mode", ["yes", 1, None])
def test_train_of_a_non_bool_raises(mode):
    raises_both(lambda L: Net(L).train(mode))


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    def zero(L):
        model = L.nn.Linear(3, 2)
        model(L.ones(4, 3)).sum().backward()
        model.zero_grad(set_to_none=set_to_none)
        return [p.grad for p in model.parameters()]

    run_both(zero)


def test_requires_grad_freezes_every_parameter():
    def freeze(L):
        model = Net(L)
        assert model.head.requires_grad_(False) is model.head
        return [(name, p.requires_grad) for name, p in model.named_parameters()]

    run_both(freeze)


def test_apply_visits_children_first():
    def visit(L):
        order = []
        assert Net(L).apply(lambda m: order.append(type(m).__name__)) is not None
        return order

    run_both(visit)


def test_forward_hooks_change_input_and_output_until_removed():
    def hooks(L):
        model = L.nn.Linear(2, 2, bias=False)
        with L.no_grad():
            model.weight.copy_(L.tensor([[1.0, 2.0], [3.0, 4.0]]))
        calls = []
        pre = model.register_forward_pre_hook(lambda m, args: (args[0] * 10,))
        post = model.register_forward_hook(lambda m, args, out: calls.append(args[0].sum().item()) or out + 1)
        single = model.register_forward_pre_hook(lambda m, args: args[0] - 1)  # not a tuple: wrapped
        x = L.ones(1, 2)
        outputs = [model(x)]
        single.remove()
        outputs.append(model(x))
        pre.remove()
        post.remove()
        return outputs + [model(x), calls]

    run_both(hooks)


def test_a_module_without_forward_raises_not_implemented_error():
    def call(L):
        class NoForward(L.nn.Module):
            pass

        NoForward()(L.ones(1))

    raises_both(call)


# ---------------------------------------------------------------------------------------------- to()


@pytest.mark.parametrize("conversion", ["double", "float", "to float64", "to dtype=float64", "to tensor",
                                        "to cpu float64", "cpu", "to device"])
def test_to_converts_floating_tensors_only_and_keeps_the_objects(conversion, device):
    def convert(L):
        model = Net(L)
        model(L.ones(2, 3)).sum().backward()
        before = [id(p) for p in model.parameters()]
        optimizer = L.optim.SGD(model.parameters(), lr=0.1)
        result = {
            "double": lambda: model.double(),
            "float": lambda: model.double().float(),
            "to float64": lambda: model.to(L.float64),
            "to dtype=float64": lambda: model.to(dtype=L.float64),
            "to tensor": lambda: model.to(L.zeros(1, dtype=L.float64)),
            "to cpu float64": lambda: model.to("cpu", L.float64),
            "cpu": lambda: model.cpu(),
            "to device": lambda: model.to(torch_device(device) if L is torch else
                                          device if device != "cpu-python" else "cpu"),
        }[conversion]()
        optimizer.step()  # made before the conversion: still updates the model's parameters
        return (result is model, [id(p) for p in model.parameters()] == before,
                [(name, t.dtype, t.grad.dtype if t.grad is not None else None)
                 for name, t in model.named_parameters()], [(n, b.dtype) for n, b in model.named_buffers()],
                [type(p).__name__ for p in model.parameters()], all(p.grad is not None for p in model.parameters()))

    run_both(convert)


@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_to_an_integer_dtype_raises(dtype):
    raises_both(lambda L: Net(L).to(getattr(L, dtype)))


# ---------------------------------------------------------------------------------------------- state_dict


def test_state_dict_keys_values_and_metadata():
    def state(L):
        model = Net(L)
        state = model.state_dict()
        vars_ = model.state_dict(keep_vars=True)
        return (list(state), dict(state._metadata), type(state).__name__,
                [type(v).__name__ for v in state.values()], [v.requires_grad for v in state.values()],
                [type(v).__name__ for v in vars_.values()], vars_["fc.weight"] is model.fc.weight,
                state["fc.weight"].data_ptr() == model.fc.weight.data_ptr(),
                list(model.state_dict(prefix="net.")), dict(model.state_dict(prefix="net.")._metadata))

    run_both(state)


def test_state_dict_values_equal_the_parameters():
    torch_model = Net(torch)
    our_model = Net(course_lib)
    our_model.load_state_dict({k: ours(v) for k, v in torch_model.state_dict().items()})
    for key, value in torch_model.state_dict().items():
        assert plain(our_model.state_dict()[key]) == plain(value), key


def test_state_dict_round_trip_torch_course_lib_torch():
    torch_model = Net(torch)
    our_model = Net(course_lib)
    with torch.no_grad():
        torch_model.steps.fill_(7)
    assert repr(our_model.load_state_dict({k: ours(v) for k, v in torch_model.state_dict().items()})) \
        == "<All keys matched successfully>"
    back = Net(torch)
    back.load_state_dict({k: torch.tensor(v.cpu().numpy()) for k, v in our_model.state_dict().items()})
    for (key, mine), (_, theirs) in zip(back.state_dict().items(), torch_model.state_dict().items()):
        assert torch.equal(mine, theirs), key
    x = torch.randn(5, 3)
    assert torch.allclose(back(x), torch_model(x))


def _state_with(L, edit):
    model = Net(L)
    state = model.state_dict()
    edit(L, state)
    return model, state


EDITS = {
    "nothing": lambda L, s: None,
    "a missing key": lambda L, s: s.pop("fc.bias"),
    "two missing keys": lambda L, s: (s.pop("head.2.weight"), s.pop("fc.weight")),
    "an unexpected key": lambda L, s: s.update({"extra": L.ones(1)}),
    "unexpected keys of a child and the root": lambda L, s: s.update({"head.0.extra": L.ones(1), "extra": L.ones(1)}),
    "a key below a parameter": lambda L, s: s.update({"fc.weight.x": L.ones(1)}),
    "a child's bare name": lambda L, s: s.update({"head": L.ones(1)}),
    "a missing and an unexpected key": lambda L, s: (s.pop("steps"), s.update({"head.5.weight": L.ones(1)})),
    "a key for a bias=False parameter": lambda L, s: s.update({"head.2.bias": L.ones(2)}),
    "a non-persistent buffer": lambda L, s: s.update({"cache": L.ones(3)}),
    "a size mismatch": lambda L, s: s.update({"fc.weight": L.ones(3, 4)}),
    "a size mismatch and a missing key": lambda L, s: (s.update({"head.0.bias": L.ones(5)}), s.pop("fc.bias")),
    "a value that is not a tensor": lambda L, s: s.update({"fc.bias": [1.0, 2.0, 3.0, 4.0]}),
}


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_load_state_dict_errors_and_result(edit, strict):
    def load(L):
        model, state = _state_with(L, EDITS[edit])
        result = model.load_state_dict(state, strict=strict)
        return repr(result), result.missing_keys, result.unexpected_keys, type(result).__name__

    run_both(load)


def test_load_state_dict_copies_in_place_or_assigns():
    def load(L):
        model = Net(L)
        weight = model.fc.weight
        state = {k: v.clone() + 1 for k, v in model.state_dict().items()}
        model.load_state_dict(state)
        copied = (model.fc.weight is weight, model.fc.weight.data_ptr() == state["fc.weight"].data_ptr())
        model.fc.weight.requires_grad_(False)
        model.load_state_dict(state, assign=True)
        return (copied, model.fc.weight is weight, type(model.fc.weight).__name__, model.fc.weight.requires_grad,
                model.head[0].weight.requires_grad, model.fc.weight.data_ptr() == state["fc.weight"].data_ptr(),
                model.steps.data_ptr() == state["steps"].data_ptr(),
                [L.equal(value, state[key]) for key, value in model.state_dict().items()])

    run_both(load)


def test_load_state_dict_of_a_list_raises_type_error():
    raises_both(lambda L: Net(L).load_state_dict([("fc.weight", L.ones(4, 3))]))


def test_state_dict_positional_arguments_warn():
    def positional(L):
        with pytest.warns(FutureWarning):
            return list(L.nn.Linear(1, 1).state_dict(None, "p."))

    run_both(positional)


# ---------------------------------------------------------------------------------------------- repr


def test_repr_of_a_nested_model():
    def text(L):
        class Model(L.nn.Module):
            def __init__(self):
                super().__init__()
                self.body = L.nn.Sequential(L.nn.Flatten(), L.nn.Linear(4, 3, bias=False), L.nn.ReLU())
                self.blocks = L.nn.ModuleList([L.nn.Linear(3, 3) for _ in range(3)] + [L.nn.ReLU(), L.nn.ReLU()]
                                              + [L.nn.Linear(3, 2)])
                self.heads = L.nn.ModuleDict({"a": L.nn.Identity(), "b": L.nn.Sequential()})
                self.empty = L.nn.ModuleList()
                self.missing = None

        return repr(Model()), repr(L.nn.Module()), str(L.nn.Linear(1, 1))

    run_both(text)


# ---------------------------------------------------------------------------------------------- Parameter


def test_parameter_repr_and_requires_grad():
    def parameter(L):
        data = L.tensor([1.0, 2.0])
        p, frozen, empty = L.nn.Parameter(data), L.nn.Parameter(data, requires_grad=False), L.nn.Parameter()
        with L.no_grad():
            data[0] = 5.0  # the parameter shares the data's storage
        return (repr(p), repr(frozen), p.requires_grad, frozen.requires_grad, p.is_leaf, p.grad_fn, p,
                isinstance(p, L.Tensor), repr(empty), type(p * 2).__name__, p.data_ptr() == data.data_ptr())

    run_both(parameter)


def test_parameter_of_an_int_tensor_raises():
    # course_lib's message (from requires_grad_) also names the dtype and the fix
    raises_both(lambda L: L.nn.Parameter(L.tensor([1, 2])), message=False)


def test_parameter_of_a_non_leaf_is_a_leaf():
    def detached(L):
        x = L.ones(2, requires_grad=True)
        p = L.nn.Parameter(x * 2)
        return p.is_leaf, p.grad_fn, p.requires_grad

    run_both(detached)


def test_deepcopy_gives_independent_parameters():
    def clone(L):
        model = Net(L)
        model(L.ones(1, 3)).sum().backward()
        twin = copy.deepcopy(model)
        independent = all(a.data_ptr() != b.data_ptr() for a, b in zip(model.parameters(), twin.parameters()))
        with L.no_grad():
            twin.fc.weight.add_(1)
        return (independent, [type(p).__name__ for p in twin.parameters()],
                [p.requires_grad for p in twin.parameters()], L.equal(twin.fc.weight, model.fc.weight + 1),
                L.equal(twin.head[0].weight, model.head[0].weight), twin.steps.dtype, list(twin.state_dict()))

    run_both(clone)


def test_pickle_round_trip():
    def pickled(L):
        model = L.nn.Linear(3, 2)
        back = pickle.loads(pickle.dumps(model))
        return (type(back.weight).__name__, back.weight.requires_grad, L.equal(back.weight, model.weight),
                list(back.state_dict()))

    run_both(pickled)
