"""Optimizers, like ``torch.optim``: SGD, Adam, AdamW, RMSprop, Adadelta and ``lr_scheduler``.

Filled in chapter 03 (notebooks/03_neural_networks.ipynb); empty until then.
"""
