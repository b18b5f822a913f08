"""Data loading, like ``torch.utils.data`` (chapter 03, notebooks/03_neural_networks.ipynb): datasets, samplers
and ``DataLoader`` with torch's default collate; worker processes (chapter 06, notebooks/06_parallel_training.ipynb)
and ``get_worker_info``."""

from .dataloader import DataLoader, default_collate, default_convert
from .distributed import DistributedSampler
from .dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler
from .worker import WorkerInfo, get_worker_info

__all__ = ["BatchSampler", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler", "IterableDataset", "RandomSampler", "Sampler",
           "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset", "default_collate",
           "default_convert", "get_worker_info", "random_split", "WorkerInfo"]
