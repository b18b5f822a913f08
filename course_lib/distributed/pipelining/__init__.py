"""Pipeline (network) parallelism, like ``torch.distributed.pipelining``: a model cut into stages, one per rank.

Taught in notebooks/06_parallel_training.ipynb. ``PipelineStage`` wraps this rank's piece of the model and
sends activations forward and gradients backward to its neighbours (``stage.py``); a schedule decides the order
in which the stages run the micro-batches of a batch (``schedules.py``: GPipe, exercise 6.7, and 1F1B).
"""

from .schedules import Schedule1F1B, ScheduleGPipe  # noqa: F401
from .stage import PipelineStage  # noqa: F401

__all__ = ["PipelineStage", "Schedule1F1B", "ScheduleGPipe"]
