"""Helpers for parameters, like ``torch.nn.utils``: gradient clipping (``clip_grad``) and flattening parameters
into one vector and back (``convert_parameters``); and, course_lib's own, gradient accumulation over micro-batches
(``accumulate``, chapter 06)."""

from .accumulate import accumulate_gradients
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = ["accumulate_gradients", "clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]
