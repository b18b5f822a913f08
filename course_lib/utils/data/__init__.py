"""Data loading, like ``torch.utils.data``: ``Dataset``, ``TensorDataset``, samplers, ``DataLoader``.

Filled in chapter 03 (notebooks/03_neural_networks.ipynb; worker processes in chapter 06);
empty until then.
"""
