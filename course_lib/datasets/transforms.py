"""The image transforms a MNIST pipeline needs, like ``torchvision.transforms``: ``ToTensor``, ``Normalize``,
``Compose``, ``Lambda``, and ``RandomAffine`` (augmentation; chapter 06 uses its cost to show DataLoader workers).

Each transform is a callable object applied to one sample. Taught in notebooks/04_mnist_training.ipynb.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .._tensor import Tensor
from ..dtypes import float32
from ..ops.creation import tensor

__all__ = ["Compose", "Lambda", "Normalize", "RandomAffine", "ToTensor"]


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


class RandomAffine:
    """A random rotation, scaling and shift of a ``(H, W)`` image (a NumPy array or a tensor; the result is of the
    same kind, float32), as ``torchvision.transforms.RandomAffine(degrees, translate, scale)``.

    The warped image is sampled with bilinear interpolation at ``supersample`` x ``supersample`` points per
    pixel and averaged (antialiasing): about 1 ms per 28 x 28 image with the default 4, the kind of CPU cost
    that DataLoader workers exist for. Outside the image counts as 0. The randomness is NumPy's global
    generator, which each DataLoader worker seeds differently (``utils/data/worker.py``).
    """

    def __init__(self, degrees: float, translate: Sequence[float] = (0.0, 0.0), scale: Sequence[float] = (1.0, 1.0),
                 supersample: int = 4) -> None:
        self.degrees, self.translate, self.scale, self.supersample = degrees, tuple(translate), tuple(scale), supersample

    def __call__(self, image: Any) -> Any:
        array = image.numpy() if isinstance(image, Tensor) else np.asarray(image)
        if array.ndim != 2:
            raise ValueError(f"RandomAffine expects an image of 2 dimensions (H, W), got shape {array.shape}")
        height, width = array.shape
        angle = np.deg2rad(np.random.uniform(-self.degrees, self.degrees))
        zoom = np.random.uniform(*self.scale)
        shift_x = np.random.uniform(-self.translate[0], self.translate[0]) * width
        shift_y = np.random.uniform(-self.translate[1], self.translate[1]) * height
        # Each output sample point, mapped back into the input image (the inverse of the warp).
        step = 1.0 / self.supersample
        ys = (np.arange(height * self.supersample) + 0.5) * step - height / 2 - shift_y
        xs = (np.arange(width * self.supersample) + 0.5) * step - width / 2 - shift_x
        y, x = np.meshgrid(ys, xs, indexing="ij")
        cos, sin = np.cos(angle) / zoom, np.sin(angle) / zoom
        source_x = cos * x + sin * y + width / 2 - 0.5
        source_y = -sin * x + cos * y + height / 2 - 0.5
        warped = _bilinear(np.pad(array.astype(np.float32), 1), source_y + 1, source_x + 1)
        result = warped.reshape(height, self.supersample, width, self.supersample).mean(axis=(1, 3))
        return tensor(result.astype(np.float32)) if isinstance(image, Tensor) else result.astype(np.float32)

    def __repr__(self) -> str:
        return f"RandomAffine(degrees={self.degrees}, translate={self.translate}, scale={self.scale})"


def _bilinear(image: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``image`` read at the fractional positions ``(y, x)`` by bilinear interpolation; positions are clipped to
    the image (whose border, padded with zeros, is what lies outside)."""
    top, left = np.floor(y).astype(np.int64), np.floor(x).astype(np.int64)
    fy, fx = y - top, x - left
    last_y, last_x = image.shape[0] - 1, image.shape[1] - 1

    def at(row: np.ndarray, column: np.ndarray) -> np.ndarray:
        return image[np.clip(row, 0, last_y), np.clip(column, 0, last_x)]

    return (at(top, left) * (1 - fx) * (1 - fy) + at(top, left + 1) * fx * (1 - fy)
            + at(top + 1, left) * (1 - fx) * fy + at(top + 1, left + 1) * fx * fy)
