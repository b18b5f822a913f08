"""The image transforms a MNIST pipeline needs, like ``torchvision.transforms``: ``ToTensor``, ``Normalize``,
``Compose``, ``Lambda``.

Each transform is a callable object applied to one sample. Taught in notebooks/04_mnist_training.ipynb.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .._tensor import Tensor
from ..dtypes import float32
from ..ops.creation import tensor

__all__ = ["Compose", "Lambda", "Normalize", "ToTensor"]


class Compose:
    """Apply ``transforms`` in order."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, sample: Any) -> Any:
        for transform in self.transforms:
            sample = transform(sample)
        return sample

    def __repr__(self) -> str:
        inner = "".join(f"\n    {transform!r}" for transform in self.transforms)
        return f"Compose({inner}\n)"


class ToTensor:
    """A uint8 image ``(H, W)`` or ``(H, W, C)`` (a tensor, a NumPy array, or anything with ``__array__`` such as
    a PIL image) as a float32 tensor ``(C, H, W)`` with values in ``[0, 1]`` (divided by 255)."""

    def __call__(self, image: Any) -> Tensor:
        array = image.numpy() if isinstance(image, Tensor) else np.asarray(image)
        if array.ndim == 2:
            array = array[None]
        elif array.ndim == 3:
            array = array.transpose(2, 0, 1)
        else:
            raise ValueError(f"ToTensor expects an image of 2 or 3 dimensions (H, W[, C]), got shape {array.shape}")
        scale = 255.0 if array.dtype == np.uint8 else 1.0
        return tensor(np.ascontiguousarray(array, dtype=np.float32) / np.float32(scale), dtype=float32)

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """``(x - mean[c]) / std[c]`` for each channel ``c`` of a ``(C, H, W)`` float tensor (a new tensor).

    Raises:
        ValueError: a standard deviation of 0 (torch's message).
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        if any(s == 0 for s in std):
            raise ValueError(f"std evaluated to zero after conversion to torch.float32, leading to division by "
                             f"zero.")
        self.mean, self.std, self.inplace = tuple(mean), tuple(std), inplace

    def __call__(self, image: Tensor) -> Tensor:
        # BEGIN EXERCISE 4.2
        mean = tensor(self.mean, dtype=image.dtype).reshape(-1, 1, 1)
        std = tensor(self.std, dtype=image.dtype).reshape(-1, 1, 1)
        return (image - mean) / std
        # END EXERCISE

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


class Lambda:
    """Apply a function of your own."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function

    def __call__(self, sample: Any) -> Any:
        return self.function(sample)

    def __repr__(self) -> str:
        return "Lambda()"
