"""Convolution against torch: ``Tensor.unfold`` (the windows view), ``F.pad``, ``F.unfold``, ``F.conv2d``,
``nn.Conv2d``, and the pytorch/examples MNIST network's layers. Outputs and gradients are compared."""

from __future__ import annotations

import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import course_lib
from helpers.nn import assert_same, gradients, same_data, twins
from helpers.windows import compare_with_torch, random


# --------------------------------------------------------------------------- Tensor.unfold, the view


@pytest.mark.parametrize("shape, dimension, size, step", [((2, 7, 3), 1, 3, 2), ((2, 7, 3), 1, 2, 2), ((5,), 0, 5, 1),
                                                          ((4, 9), -1, 3, 1), ((2, 6), 1, 1, 3), ((3, 4), 0, 0, 1)])
def test_tensor_unfold_is_torchs_view_and_gradient(shape, dimension, size, step):
    (x,) = random(0, shape)
    compare_with_torch(lambda L, t: t.unfold(dimension, size, step), x)
    ours, theirs = course_lib.tensor(x), torch.tensor(x)
    view = ours.unfold(dimension, size, step)
    assert_same(view, theirs.unfold(dimension, size, step), check_layout=True)
    assert view.untyped_storage().data_ptr() == ours.untyped_storage().data_ptr()


def test_tensor_unfold_second_order_gradient():
    (x,) = random(1, (7,), dtype="float64")

    def grad_of_grad(L, t):
        first, = L.autograd.grad((t.unfold(0, 3, 1) ** 3).sum(), [t], create_graph=True)
        return first

    compare_with_torch(grad_of_grad, x)


def test_tensor_unfold_grad_fn_name():
    x = course_lib.ones(4, requires_grad=True)
    assert type(x.unfold(0, 2, 1).grad_fn).__name__ == "UnfoldBackward0"


# --------------------------------------------------------------------------- pad


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("amounts", [(1, 2), (2, 1, 0, 3), (1, 1, 2, 2, 1, 0)])
def test_pad_matches_torch(mode, amounts):
    (x,) = random(2, (2, 3, 4, 5, 6)[:len(amounts) // 2 + 2])  # a batch, channels, the padded dimensions
    compare_with_torch(lambda L, t: L.nn.functional.pad(t, amounts, mode=mode), x)


@pytest.mark.parametrize("amounts, value", [((-1, 2), 0.0), ((1, -2, -1, 0), 3.5), ((0, 0, 2, 1, 1, 1, 0, 1), -1.0)])
def test_constant_pad_crops_and_fills(amounts, value):
    (x,) = random(3, (2, 3, 4, 5))
    compare_with_torch(lambda L, t: L.nn.functional.pad(t, amounts, value=value), x)
    out = course_lib.nn.functional.pad(course_lib.ones(2, 2, requires_grad=True), (1, 1))
    assert type(out.grad_fn).__name__ == "ConstantPadNdBackward0"


# --------------------------------------------------------------------------- F.unfold (im2col)


@pytest.mark.parametrize("options", [dict(kernel_size=2),
                                     dict(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(1, 2)),
                                     dict(kernel_size=3, padding=(0, 2), stride=2)])
@pytest.mark.parametrize("shape", [(2, 3, 6, 5), (3, 5, 4)])
def test_im2col_matches_torch(options, shape):
    (x,) = random(4, shape)
    compare_with_torch(lambda L, t: L.nn.functional.unfold(t, **options), x)


# --------------------------------------------------------------------------- F.conv2d


CONV_CASES = [
    ((2, 3, 9, 8), (4, 3, 3, 2), dict()),
    ((2, 3, 9, 8), (4, 3, 3, 3), dict(stride=2, padding=1, dilation=2)),
    ((2, 3, 9, 8), (5, 3, 2, 3), dict(stride=(2, 1), padding=(0, 2), dilation=(1, 3))),
    ((1, 4, 7, 7), (6, 2, 3, 3), dict(groups=2, padding="same")),
    ((3, 7, 6), (2, 3, 2, 2), dict(padding="same", dilation=(1, 2))),  # unbatched, an even kernel
    ((2, 3, 5, 5), (4, 3, 5, 5), dict(padding="valid")),  # the kernel covers the whole input
    ((1, 1, 3, 3), (1, 1, 4, 4), dict(padding=1)),  # the kernel only fits the padded input
]


@pytest.mark.parametrize("input_shape, weight_shape, options", CONV_CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_matches_torch(input_shape, weight_shape, options, bias):
    arrays = random(5, input_shape, weight_shape, (weight_shape[0],))[:3 if bias else 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's note on 'same' with an even kernel
        compare_with_torch(lambda L, *t: L.nn.functional.conv2d(*t, **options), *arrays, rtol=1e-4, atol=1e-5)


def test_conv2d_of_non_contiguous_inputs():
    arrays = random(6, (2, 5, 8, 3), (4, 3, 3, 3), (4,))

    def transposed(L, leaf):  # channels and width swapped back: a non-contiguous view
        return leaf.transpose(1, 3) if leaf.dim() == 4 and leaf.shape[1] == 5 else leaf

    compare_with_torch(lambda L, x, w, b: L.nn.functional.conv2d(x, w.transpose(2, 3), b, padding=1), *arrays,
                       prepare=transposed, rtol=1e-4, atol=1e-5)


def test_conv2d_float64_and_an_empty_batch():
    arrays = random(7, (1, 2, 5, 6), (3, 2, 2, 2), dtype="float64")
    compare_with_torch(lambda L, x, w: L.nn.functional.conv2d(x, w, stride=2), *arrays)
    empty = course_lib.nn.functional.conv2d(course_lib.ones(0, 2, 5, 5), course_lib.ones(3, 2, 3, 3))
    assert tuple(empty.shape) == tuple(torch.nn.functional.conv2d(torch.ones(0, 2, 5, 5), torch.ones(3, 2, 3, 3)).shape)


@settings(max_examples=15, deadline=None)
@given(batch=st.integers(1, 2), channels=st.integers(1, 3), out_channels=st.integers(1, 3), height=st.integers(1, 7),
       width=st.integers(1, 7), kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       stride=st.tuples(st.integers(1, 3), st.integers(1, 3)), padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
       dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)), seed=st.integers(0, 2 ** 16))
def test_conv2d_random_geometry_matches_torch(batch, channels, out_channels, height, width, kernel, stride, padding,
                                              dilation, seed):
    arrays = random(seed, (batch, channels, height, width), (out_channels, channels, *kernel), (out_channels,))
    options = dict(stride=stride, padding=padding, dilation=dilation)
    try:
        torch.nn.functional.conv2d(*[torch.tensor(a) for a in arrays], **options)
    except RuntimeError:  # the kernel does not fit: both raise the same type
        with pytest.raises(RuntimeError):
            course_lib.nn.functional.conv2d(*[course_lib.tensor(a) for a in arrays], **options)
        return
    compare_with_torch(lambda L, *t: L.nn.functional.conv2d(*t, **options), *arrays, rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------------- nn.Conv2d


@pytest.mark.parametrize("arguments", [dict(in_channels=1, out_channels=32, kernel_size=3, stride=1),
                                       dict(in_channels=4, out_channels=6, kernel_size=(3, 2), stride=2, padding=1,
                                            dilation=2, groups=2, bias=False),
                                       dict(in_channels=3, out_channels=2, kernel_size=3, padding="same",
                                            padding_mode="reflect"),
                                       dict(in_channels=3, out_channels=2, kernel_size=3, padding=2,
                                            padding_mode="circular"),
                                       dict(in_channels=3, out_channels=2, kernel_size=2, padding="valid",
                                            padding_mode="replicate")])
def test_conv2d_module_matches_torch(arguments):
    torch_layer, our_layer = twins(lambda L: L.nn.Conv2d(**arguments))
    assert repr(our_layer) == repr(torch_layer)
    assert [name for name, _ in our_layer.named_parameters()] == [name for name, _ in torch_layer.named_parameters()]
    (x_t,), (x_o,) = same_data(8, (2, arguments["in_channels"], 7, 6))
    out_t, out_o = torch_layer(x_t), our_layer(x_o)
    assert_same(out_o, out_t, rtol=1e-4, atol=1e-5)
    (out_t ** 2).sum().backward()
    (out_o ** 2).sum().backward()
    assert_same(gradients(our_layer), gradients(torch_layer), rtol=1e-4, atol=1e-4)


def test_conv2d_module_initial_parameters_follow_torchs_bounds():
    layer = course_lib.nn.Conv2d(8, 16, (3, 5), groups=2)
    bound = 1 / (4 * 3 * 5) ** 0.5  # fan_in = in_channels / groups * kh * kw
    for parameter in (layer.weight, layer.bias):
        assert float(parameter.abs().max()) <= bound and float(parameter.abs().max()) > bound / 2
    assert tuple(layer.weight.shape) == (16, 4, 3, 5) and layer.weight.requires_grad


# --------------------------------------------------------------------------- the MNIST example's CNN


def mnist_cnn_layers(L):
    """pytorch/examples' MNIST network up to its first linear layer."""
    return L.nn.ModuleDict({"conv1": L.nn.Conv2d(1, 32, 3, 1), "conv2": L.nn.Conv2d(32, 64, 3, 1)})


def mnist_features(L, layers, x):
    F = L.nn.functional
    x = F.relu(layers["conv1"](x))
    x = F.relu(layers["conv2"](x))
    return F.max_pool2d(x, 2).flatten(1)


def test_the_mnist_cnn_layers_match_torch():
    torch_layers, our_layers = twins(mnist_cnn_layers)
    (x_t,), (x_o,) = same_data(9, (3, 1, 28, 28))
    features_t, features_o = mnist_features(torch, torch_layers, x_t), mnist_features(course_lib, our_layers, x_o)
    assert_same(features_o, features_t, rtol=1e-4, atol=1e-5)
    assert tuple(features_o.shape) == (3, 9216)
    weights = torch.randn(9216)
    (features_t * weights).sum().backward()
    (features_o * course_lib.tensor(weights.cpu().numpy())).sum().backward()
    assert_same(gradients(our_layers), gradients(torch_layers), rtol=1e-4, atol=1e-4)
