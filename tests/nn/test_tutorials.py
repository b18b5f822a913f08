"""The model code of well-known PyTorch tutorials and of the course's seed posts, re-written as tests.

Each test is one small program written once for ``L`` (``torch`` or ``course_lib``): it builds the model,
trains or evaluates it a few steps from the same weights and data, and returns what a learner would look
at (losses, outputs, parameters, names). The two libraries must agree. The programs are our own
re-statements of what those tutorials do, not their text.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch

import course_lib
from helpers.devices import torch_text
from helpers.nn import assert_same, ours, theirs, twins


def data(L, seed: int, *shapes, classes: int = 0):
    """The same random inputs in both libraries (and integer class targets when ``classes``)."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(shape).astype(np.float32) for shape in shapes]
    if classes:
        arrays.append(rng.integers(0, classes, shapes[0][0]))
    return [L.tensor(a) for a in arrays]


def train(L, model, loss_fn, batches, lr=0.1, steps=3, **options):
    """A few steps of the usual loop; returns each step's loss (a number)."""
    optimizer = L.optim.SGD(model.parameters(), lr=lr, **options)
    losses = []
    for step in range(steps):
        x, y = batches[step % len(batches)]
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def compare_training(factory, loss_fn, make_batches, **options):
    torch_model, our_model = twins(factory)
    results = []
    for L, model in ((torch, torch_model), (course_lib, our_model)):
        results.append((train(L, model, loss_fn(L), make_batches(L), **options),
                        [p.detach() for p in model.parameters()]))
    (losses_t, params_t), (losses_o, params_o) = results
    np.testing.assert_allclose(losses_o, losses_t, rtol=1e-5, atol=1e-6)
    assert_same(params_o, params_t, rtol=1e-5, atol=1e-6)
    return torch_model, our_model


# ---------------------------------------------------------------- the seed posts


def seed_net(L):
    """Seed 004: a Module subclass with two Linear layers and the functional relu between them."""

    class Net(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = L.nn.Linear(2, 3)
            self.fc2 = L.nn.Linear(3, 1)

        def forward(self, x):
            return self.fc2(L.relu(self.fc1(x)))

    return Net()


def test_seed_004_regression_net_trains_with_mse_and_sgd():
    torch_model, our_model = compare_training(
        seed_net, lambda L: L.nn.MSELoss(), lambda L: [data(L, 0, (100, 2), (100, 1))], lr=0.01, steps=5)
    assert repr(our_model) == repr(torch_model)


def test_seed_001_sequential_indexing_and_state_dict():
    torch_model, our_model = twins(lambda L: L.nn.Sequential(L.nn.Linear(4, 8), L.nn.ReLU(), L.nn.Linear(8, 1)))
    state_t, state_o = torch_model[2].state_dict(), our_model[2].state_dict()
    assert list(state_o) == list(state_t) == ["weight", "bias"]
    assert_same(list(state_o.values()), list(state_t.values()))
    assert_same(our_model[2].bias.data, torch_model[2].bias.data)
    assert our_model[2].weight.grad is None and torch_model[2].weight.grad is None


# ---------------------------------------------------------------- PyTorch's "Learn the Basics"


def basics_network(L):
    """Build the model: flatten 28x28 images, then Linear-ReLU-Linear-ReLU-Linear in a named module."""

    class NeuralNetwork(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = L.nn.Flatten()
            self.linear_relu_stack = L.nn.Sequential(L.nn.Linear(28 * 28, 64), L.nn.ReLU(), L.nn.Linear(64, 64),
                                                     L.nn.ReLU(), L.nn.Linear(64, 10))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    return NeuralNetwork()


def test_learn_the_basics_model_and_optimization_loop():
    torch_model, our_model = compare_training(
        basics_network, lambda L: L.nn.CrossEntropyLoss(),
        lambda L: [tuple(data(L, seed, (16, 1, 28, 28), classes=10)) for seed in (1, 2)], lr=1e-2)
    assert repr(our_model) == repr(torch_model)
    names_t = [(n, tuple(p.shape)) for n, p in torch_model.named_parameters()]
    assert [(n, tuple(p.shape)) for n, p in our_model.named_parameters()] == names_t
    x_t, x_o = torch.rand(3, 28, 28), None
    x_o = ours(x_t)
    probabilities = [L.nn.Softmax(dim=1)(model(x)) for L, model, x in
                     ((torch, torch_model, x_t), (course_lib, our_model, x_o))]
    assert_same(probabilities[1], probabilities[0])
    assert_same(probabilities[1].argmax(1), probabilities[0].argmax(1))


# ---------------------------------------------------------------- the 60-minute blitz: neural networks


def lenet(L):
    """The blitz's LeNet: two conv + max-pool stages, then three Linear layers (F functions in forward)."""
    F = L.nn.functional

    class Net(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = L.nn.Conv2d(1, 6, 5)
            self.conv2 = L.nn.Conv2d(6, 16, 5)
            self.fc1 = L.nn.Linear(16 * 5 * 5, 120)
            self.fc2 = L.nn.Linear(120, 84)
            self.fc3 = L.nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = L.flatten(x, 1)
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))

    return Net()


def test_blitz_lenet_forward_backward_and_update():
    torch_model, our_model = compare_training(
        lenet, lambda L: L.nn.MSELoss(), lambda L: [tuple(data(L, 3, (2, 1, 32, 32), (2, 10)))], lr=0.01, steps=2)
    assert len(list(our_model.parameters())) == len(list(torch_model.parameters())) == 10
    assert repr(our_model) == repr(torch_model)


# ---------------------------------------------------------------- the polynomial examples


def test_polynomial_fit_with_sequential_and_a_manual_update():
    """y = sin(x) fitted by a + b x + c x^2 + d x^3: Linear(3, 1) and Flatten(0, 1), MSE summed, the update
    written by hand under no_grad."""
    torch_model, our_model = twins(lambda L: L.nn.Sequential(L.nn.Linear(3, 1), L.nn.Flatten(0, 1)))
    results = []
    for L, model in ((torch, torch_model), (course_lib, our_model)):
        x = L.linspace(-3.14159, 3.14159, 200)
        xx = x.unsqueeze(-1).pow(L.tensor([1, 2, 3]))
        y = L.sin(x)
        loss_fn = L.nn.MSELoss(reduction="sum")
        losses = []
        for _ in range(5):
            loss = loss_fn(model(xx), y)
            model.zero_grad()
            loss.backward()
            with L.no_grad():
                for param in model.parameters():
                    param -= 1e-6 * param.grad
            losses.append(loss.item())
        results.append((losses, [p.detach() for p in model.parameters()]))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5)
    assert_same(results[1][1], results[0][1], rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- d2l: regression and the MLP


def test_d2l_linear_regression_concise():
    def model(L):
        net = L.nn.Sequential(L.nn.Linear(2, 1))
        net[0].weight.data.normal_(0, 0.01)
        net[0].bias.data.fill_(0)
        return net

    compare_training(model, lambda L: L.nn.MSELoss(), lambda L: [tuple(data(L, seed, (10, 2), (10, 1)))
                                                                  for seed in (4, 5, 6)], lr=0.03)


def test_d2l_softmax_regression_and_mlp_with_init_by_apply():
    def init_weights(L):
        def init(m):
            if type(m) is L.nn.Linear:
                L.nn.init.normal_(m.weight, std=0.01)
        return init

    for hidden in ([], [256]):
        def model(L, hidden=hidden):
            sizes = [784, *hidden, 10]
            layers = [L.nn.Flatten()]
            for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
                layers += ([L.nn.ReLU()] if i else []) + [L.nn.Linear(a, b)]
            return L.nn.Sequential(*layers).apply(init_weights(L))

        compare_training(model, lambda L: (lambda out, y: L.nn.CrossEntropyLoss(reduction="none")(out, y).mean()),
                         lambda L: [tuple(data(L, 7, (8, 1, 28, 28), classes=10))], lr=0.1)


# ---------------------------------------------------------------- d2l: builders' guide


def test_builders_guide_custom_blocks_parameters_and_shared_layers():
    def my_sequential(L):
        class MySequential(L.nn.Module):
            def __init__(self, *modules):
                super().__init__()
                for index, module in enumerate(modules):
                    self.add_module(str(index), module)

            def forward(self, x):
                for module in self.children():
                    x = module(x)
                return x

        shared = L.nn.Linear(8, 8)
        return MySequential(L.nn.Linear(4, 8), L.nn.ReLU(), shared, L.nn.ReLU(), shared, L.nn.Linear(8, 1))

    torch_model, our_model = compare_training(
        my_sequential, lambda L: L.nn.MSELoss(), lambda L: [tuple(data(L, 8, (5, 4), (5, 1)))], lr=0.05)
    assert [n for n, _ in our_model.named_parameters()] == [n for n, _ in torch_model.named_parameters()]
    assert our_model._modules["2"] is our_model._modules["4"]
    assert list(our_model.state_dict()) == list(torch_model.state_dict())  # the shared layer under both names


def test_builders_guide_custom_layers():
    def model(L):
        class CenteredLayer(L.nn.Module):
            def forward(self, x):
                return x - x.mean()

        class MyLinear(L.nn.Module):
            def __init__(self, in_units, units):
                super().__init__()
                self.weight = L.nn.Parameter(L.randn(in_units, units))
                self.bias = L.nn.Parameter(L.randn(units,))

            def forward(self, x):
                return L.relu(L.matmul(x, self.weight) + self.bias)

        return L.nn.Sequential(MyLinear(64, 8), CenteredLayer(), MyLinear(8, 1))

    compare_training(model, lambda L: L.nn.MSELoss(), lambda L: [tuple(data(L, 9, (4, 64), (4, 1)))], lr=0.01)


def _bce_with_logits(L):
    target = L.ones([10, 64], dtype=L.float32)  # 64 classes, batch size = 10
    output = L.full([10, 64], 1.5)  # a prediction (logit)
    pos_weight = L.ones([64])  # all weights are equal to 1
    return L.nn.BCEWithLogitsLoss(pos_weight=pos_weight)(output, target)


# The example in torch's documentation of each layer course_lib has, with fixed inputs where the docs draw
# random ones: the shapes (and values, where they do not depend on the random initial weights) must agree.
DOCSTRING_EXAMPLES = {
    "AdaptiveAvgPool2d": lambda L: L.nn.AdaptiveAvgPool2d((5, 7))(L.ones(1, 64, 8, 9)),
    "AvgPool2d": lambda L: L.nn.AvgPool2d((3, 2), stride=(2, 1))(L.arange(20 * 16 * 50 * 32.0).reshape(20, 16, 50, 32)),
    "BCELoss": lambda L: L.nn.BCELoss()(L.sigmoid(L.linspace(-2, 2, 3)), L.tensor([0.0, 1.0, 1.0])),
    "BCEWithLogitsLoss": _bce_with_logits,
    "BatchNorm1d": lambda L: L.nn.BatchNorm1d(100, affine=False)(L.arange(2000.0).reshape(20, 100) % 7),
    "BatchNorm2d": lambda L: L.nn.BatchNorm2d(100, affine=False)(L.arange(20 * 100 * 5 * 7.0).reshape(20, 100, 5, 7) % 5),
    "Conv2d": lambda L: L.nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1))(
        L.ones(20, 16, 50, 100)).shape,
    "CrossEntropyLoss": lambda L: L.nn.CrossEntropyLoss()(L.linspace(-1, 1, 15).reshape(3, 5), L.tensor([1, 0, 4])),
    "Dropout": lambda L: L.nn.Dropout(p=0.2).eval()(L.ones(20, 16)),
    "Embedding": lambda L: L.nn.Embedding(10, 3)(L.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])).shape,
    "Flatten": lambda L: (L.nn.Flatten()(L.ones(32, 1, 5, 5)).shape, L.nn.Flatten(0, 2)(L.ones(32, 1, 5, 5)).shape),
    "GELU": lambda L: L.nn.GELU()(L.linspace(-3, 3, 7)),
    "HuberLoss": lambda L: L.nn.HuberLoss(delta=0.5)(L.linspace(-2, 2, 5), L.zeros(5)),
    "Identity": lambda L: L.nn.Identity(54, unused_argument1=0.1, unused_argument2=False)(L.ones(128, 20)).shape,
    "L1Loss": lambda L: L.nn.L1Loss()(L.linspace(-2, 2, 15).reshape(3, 5), L.zeros(3, 5)),
    "LayerNorm": lambda L: L.nn.LayerNorm(10)(L.arange(20 * 5 * 10.0).reshape(20, 5, 10) % 3),
    "LeakyReLU": lambda L: L.nn.LeakyReLU(0.1)(L.linspace(-1, 1, 2)),
    "Linear": lambda L: L.nn.Linear(20, 30)(L.ones(128, 20)).shape,
    "LogSoftmax": lambda L: L.nn.LogSoftmax(dim=1)(L.linspace(-1, 1, 6).reshape(2, 3)),
    "MSELoss": lambda L: L.nn.MSELoss()(L.linspace(-2, 2, 15).reshape(3, 5), L.zeros(3, 5)),
    "MaxPool2d": lambda L: L.nn.MaxPool2d((3, 2), stride=(2, 1))(L.arange(20 * 16 * 50 * 32.0).reshape(20, 16, 50, 32)),
    "Module": lambda L: repr(L.nn.Sequential(L.nn.Linear(1, 20), L.nn.ReLU())),
    "ModuleDict": lambda L: repr(L.nn.ModuleDict({"conv": L.nn.Conv2d(10, 10, 3), "pool": L.nn.MaxPool2d(3)})),
    "ModuleList": lambda L: repr(L.nn.ModuleList([L.nn.Linear(10, 10) for _ in range(10)])),
    "NLLLoss": lambda L: L.nn.NLLLoss()(L.nn.LogSoftmax(dim=1)(L.linspace(-1, 1, 15).reshape(3, 5)), L.tensor([1, 0, 4])),
    "Parameter": lambda L: repr(L.nn.Parameter(L.ones(2))),
    "ReLU": lambda L: L.nn.ReLU()(L.linspace(-1, 1, 2)),
    "Sequential": lambda L: repr(L.nn.Sequential(OrderedDict([("conv1", L.nn.Conv2d(1, 20, 5)), ("relu1", L.nn.ReLU()),
                                                               ("conv2", L.nn.Conv2d(20, 64, 5)),
                                                               ("relu2", L.nn.ReLU())]))),
    "Sigmoid": lambda L: L.nn.Sigmoid()(L.linspace(-1, 1, 2)),
    "SmoothL1Loss": lambda L: L.nn.SmoothL1Loss()(L.linspace(-2, 2, 15).reshape(3, 5), L.zeros(3, 5)),
    "Softmax": lambda L: L.nn.Softmax(dim=1)(L.linspace(-1, 1, 6).reshape(2, 3)),
    "Tanh": lambda L: L.nn.Tanh()(L.linspace(-1, 1, 2)),
    "Unflatten": lambda L: L.nn.Unflatten(1, (2, 5, 5))(L.ones(2, 50)).shape,
}


def test_every_layer_has_its_docstring_example():
    layers = {name for name in course_lib.nn.__all__ if name[0].isupper()}
    assert layers == set(DOCSTRING_EXAMPLES)


@pytest.mark.parametrize("name", sorted(DOCSTRING_EXAMPLES))
def test_docstring_examples_of_the_layers(name):
    """Each layer's example from torch's documentation (shapes as the docs state them)."""
    theirs, mine = DOCSTRING_EXAMPLES[name](torch), DOCSTRING_EXAMPLES[name](course_lib)
    if isinstance(theirs, torch.Tensor):
        assert_same(mine.detach(), theirs.detach(), rtol=1e-5, atol=1e-6)
    else:
        assert plain(mine) == plain(theirs)


def plain(value):
    """Sizes as tuples (course_lib.Size and torch.Size compare as tuples), recursively; strings as they are."""
    if isinstance(value, str):
        return torch_text(value)
    if isinstance(value, tuple) and value and not isinstance(value[0], int):
        return tuple(plain(item) for item in value)
    return tuple(value)


def test_theirs_and_ours_round_trip():
    value = torch.randn(3, 4)
    assert torch.equal(theirs(ours(value)), value)
