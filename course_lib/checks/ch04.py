"""Checks for chapter 04 (notebooks/04_mnist_training.ipynb): reading MNIST and normalising it, against
torchvision's reader and transforms; the training script's loop (``examples/mnist.py``) against the same loop
written in torch.

What they cover: ``read_idx`` on the real MNIST files (against torchvision's MNIST, which reads the same
bytes) and on small IDX files of every type the format has (against the bytes NumPy wrote, big-endian), and
refusing a bad magic number or a truncated file with ValueError; ``Normalize`` against torchvision's on one and
on three channels. The script's exercises run on small networks copied from torch's initial weights:
``train_step`` (losses and weights after SGD-with-momentum steps), ``evaluate`` (uneven batches, dropout,
no graph), ``count_correct`` (ties, an empty batch), and ``save_checkpoint``/``resume`` (a run stopped and
resumed equals the uninterrupted run exactly; torch reads the file; a crash while saving keeps the old one).
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .. import _api
from .harness import Case, register_check
from .scripts import load_script
from ..datasets.idx import read_idx
from ..datasets.transforms import Normalize
from ..datasets.verify import raw_dir

DATA = Path(__file__).resolve().parents[2] / "data"


def _idx_bytes(array: np.ndarray, code: int) -> bytes:
    """An IDX file's bytes written here, independently of the course's own writer."""
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _read_bytes(content: bytes) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file-idx"
        path.write_bytes(content)
        return read_idx(path)


@register_check("4.1")
def check_read_idx() -> Iterator[Case]:
    """Your IDX reader: every type code, several ranks, the real files, and the errors."""
    rng = np.random.default_rng(400)
    samples = [("uint8 (3, 4, 5)", rng.integers(0, 256, (3, 4, 5)).astype(np.uint8), 0x08),
               ("int8 (7,)", rng.integers(-128, 128, 7).astype(np.int8), 0x09),
               ("int16 (2, 3)", rng.integers(-30000, 30000, (2, 3)).astype(np.int16), 0x0B),
               ("int32 (4, 1)", rng.integers(-2**31, 2**31 - 1, (4, 1)).astype(np.int32), 0x0C),
               ("float32 (2, 2, 2)", rng.standard_normal((2, 2, 2)).astype(np.float32), 0x0D),
               ("float64 (3,)", rng.standard_normal(3), 0x0E)]
    for name, array, code in samples:
        yield Case(name, f"an IDX file of type code 0x{code:02X} holding an array of shape {array.shape}: the "
                   "array, its shape and dtype (native byte order)",
                   actual=lambda a=array, c=code: _as_tensor(_read_bytes(_idx_bytes(a, c))),
                   expected=lambda a=array: _torch_of(a))
    good = _idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3), 0x08)
    yield Case("a wrong magic number", "the bytes of a (2, 3) uint8 file with its first byte set to 1",
               actual=lambda: _read_bytes(b"\x01" + good[1:]), expect_error=ValueError)
    yield Case("a truncated file", "the bytes of a (2, 3) uint8 file without its last byte",
               actual=lambda: _read_bytes(good[:-1]), expect_error=ValueError)
    if (raw_dir(DATA) / "t10k-labels-idx1-ubyte").is_file():
        yield Case("MNIST's test labels", "data/MNIST/raw/t10k-labels-idx1-ubyte against torchvision's MNIST(train="
                   "False).targets", actual=lambda: _as_tensor(read_idx(raw_dir(DATA) / "t10k-labels-idx1-ubyte"))
                   .long(), expected=lambda: _torchvision_mnist().targets)
        yield Case("MNIST's test images", "data/MNIST/raw/t10k-images-idx3-ubyte against torchvision's MNIST(train="
                   "False).data", actual=lambda: _as_tensor(read_idx(raw_dir(DATA) / "t10k-images-idx3-ubyte")),
                   expected=lambda: _torchvision_mnist().data)


def _as_tensor(array: np.ndarray) -> Any:
    return _api.tensor(array)


def _torch_of(array: np.ndarray) -> Any:
    import torch

    return torch.from_numpy(np.ascontiguousarray(array))


@functools.lru_cache(maxsize=1)
def _torchvision_mnist() -> Any:
    import torchvision

    return torchvision.datasets.MNIST(str(DATA), train=False)


@register_check("4.2")
def check_normalize() -> Iterator[Case]:
    """Your ``Normalize`` against torchvision's, on MNIST's statistics and on three channels."""
    import torch
    from torchvision import transforms

    rng = np.random.default_rng(410)
    for name, shape, mean, std in [("one channel, MNIST's statistics", (1, 28, 28), (0.1307,), (0.3081,)),
                                   ("three channels", (3, 4, 5), (0.5, 0.25, -1.0), (0.2, 2.0, 0.5)),
                                   ("float64 image", (2, 3, 3), (1.0, 2.0), (3.0, 4.0))]:
        image = rng.random(shape).astype(np.float64 if "float64" in name else np.float32)
        yield Case(name, f"Normalize({mean}, {std}) of a random {image.dtype} image of shape {shape}",
                   actual=lambda i=image, m=mean, s=std: Normalize(m, s)(_api.tensor(i)),
                   expected=lambda i=image, m=mean, s=std: transforms.Normalize(m, s)(torch.tensor(i)))


# ---- the training script's exercises (examples/mnist.py) ------------------------------------------------

SCRIPT = "examples/mnist.py"


def _script() -> Any:
    """The script as this check judges it (loaded when a case runs, so an error in it is that case's failure)."""
    return load_script(SCRIPT)


def _twin_models(build, seed: int) -> tuple:
    """``(course_lib model, torch model)``: ``build(framework)`` in both, with torch's initial weights."""
    import torch

    torch.manual_seed(seed)
    reference = build(torch)
    model = build(_api)
    model.load_state_dict(reference.state_dict())
    return model, reference


def _small_mlp(framework, dropout: float = 0.0) -> Any:
    nn = framework.nn
    return nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, 4))


def _parameters(model) -> tuple:
    return tuple(p.detach() for p in model.parameters())


@register_check("4.3")
def check_train_step() -> Iterator[Case]:
    """Your ``train_step``: three steps of SGD with momentum, against the same steps in torch."""
    import torch

    rng = np.random.default_rng(430)
    batches = [(rng.standard_normal((5, 12)).astype(np.float32), rng.integers(0, 4, 5)) for _ in range(3)]

    def train(framework, step):
        model, reference = _twin_models(_small_mlp, 430)
        model = reference if framework is torch else model
        optimizer = framework.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        losses = [step(framework, model, optimizer, framework.tensor(x), framework.tensor(y)) for x, y in batches]
        return losses, _parameters(model)

    def torch_step(framework, model, optimizer, images, labels):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        return loss.item()

    inputs = "an MLP 12 -> 16 -> 4 (torch's initial weights), SGD(lr=0.1, momentum=0.9), three random batches of 5"
    yield Case("the three losses", inputs, actual=lambda: tuple(train(_api, _script().train_step)[0]),
               expected=lambda: tuple(train(torch, torch_step)[0]), rtol=1e-5, atol=1e-6)
    yield Case("the weights after three steps", inputs, actual=lambda: train(_api, _script().train_step)[1],
               expected=lambda: train(torch, torch_step)[1])
    yield Case("the loss is a Python float", inputs,
               actual=lambda: type(train(_api, _script().train_step)[0][0]).__name__,
               expected=lambda: type(train(torch, torch_step)[0][0]).__name__)


def _grad_recorder(framework, inner) -> Any:
    """A module running ``inner`` that notes, at each call, whether a graph was being recorded."""

    class GradRecorder(framework.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner, self.recorded = inner, []

        def forward(self, x):
            self.recorded.append(framework.is_grad_enabled())
            return self.inner(x)

    return GradRecorder()


@register_check("4.4")
def check_evaluate() -> Iterator[Case]:
    """Your ``evaluate``: mean loss per image and accuracy over uneven batches, dropout off, no graph."""
    import torch

    rng = np.random.default_rng(440)
    images, labels = rng.standard_normal((11, 12)).astype(np.float32), rng.integers(0, 4, 11)

    def run(framework, evaluate):
        model, reference = _twin_models(lambda f: _small_mlp(f, dropout=0.5), 440)
        model = _grad_recorder(framework, reference if framework is torch else model)
        data = framework.utils.data
        loader = data.DataLoader(data.TensorDataset(framework.tensor(images), framework.tensor(labels)), batch_size=4)
        result = evaluate(framework, model, loader, "cpu")
        return (result["loss"], result["accuracy"]), model

    def torch_evaluate(framework, model, loader, device):
        model.eval()
        loss, correct, count = 0.0, 0, 0
        with torch.no_grad():
            for x, y in loader:
                logits = model(x)
                loss += torch.nn.functional.cross_entropy(logits, y, reduction="sum").item()
                correct += (logits.argmax(dim=1) == y).sum().item()
                count += len(y)
        return {"loss": loss / count, "accuracy": correct / count}

    inputs = "an MLP 12 -> 16 -> dropout(0.5) -> 4 (torch's weights), 11 random images in batches of 4, 4 and 3"
    yield Case("(mean loss per image, accuracy)", inputs, actual=lambda: run(_api, _script().evaluate)[0],
               expected=lambda: run(torch, torch_evaluate)[0], rtol=1e-5, atol=1e-6)
    yield Case("the model is left in eval mode (model.training)", inputs,
               actual=lambda: run(_api, _script().evaluate)[1].training,
               expected=lambda: run(torch, torch_evaluate)[1].training)
    yield Case("no graph recorded (grad mode at each forward)", inputs,
               actual=lambda: tuple(run(_api, _script().evaluate)[1].recorded),
               expected=lambda: tuple(run(torch, torch_evaluate)[1].recorded))


@register_check("4.5")
def check_count_correct() -> Iterator[Case]:
    """Your ``count_correct`` against ``(logits.argmax(dim=1) == labels).sum()`` in torch."""
    import torch

    rng = np.random.default_rng(450)
    samples = [("random logits (9, 5)", rng.standard_normal((9, 5)).astype(np.float32), rng.integers(0, 5, 9)),
               ("ties (the first maximum counts)", rng.integers(0, 2, (12, 3)).astype(np.float32),
                rng.integers(0, 3, 12)),
               ("one row", rng.standard_normal((1, 10)).astype(np.float32), np.array([3])),
               ("an empty batch (0, 4)", np.zeros((0, 4), np.float32), np.zeros(0, np.int64))]
    for name, logits, labels in samples:
        yield Case(name, f"logits of shape {logits.shape}, labels {labels.tolist()}",
                   actual=lambda l=logits, y=labels: _script().count_correct(_api.tensor(l), _api.tensor(y)),
                   expected=lambda l=logits, y=labels: (torch.tensor(l).argmax(dim=1) == torch.tensor(y)).sum().item())
    logits, labels = samples[0][1], samples[0][2]
    yield Case("returns a Python int", "the random logits (9, 5)",
               actual=lambda: type(_script().count_correct(_api.tensor(logits), _api.tensor(labels))).__name__,
               expected=lambda: type((torch.tensor(logits).argmax(dim=1) == torch.tensor(labels)).sum().item())
               .__name__)


_CHECKPOINT_RUN = ("an MLP 6 -> 8 -> dropout(0.3) -> 3, Adadelta, StepLR(step_size=2, gamma=0.5), 10 samples shuffled in "
                   "batches of 4 by a seeded generator; three epochs, or one, saved, resumed into objects built "
                   "with another seed, then two more")


def _training_run(seed: int) -> dict:
    """Freshly built objects for a tiny training run, everything random drawn from ``seed``."""
    rng = np.random.default_rng(460)
    x, y = rng.standard_normal((10, 6)).astype(np.float32), rng.integers(0, 3, 10)
    _api.manual_seed(seed)
    nn, data = _api.nn, _api.utils.data
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 3))
    optimizer = _api.optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = _api.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    shuffle = _api.Generator().manual_seed(seed)
    loader = data.DataLoader(data.TensorDataset(_api.tensor(x), _api.tensor(y)), batch_size=4, shuffle=True,
                             generator=shuffle)
    return {"model": model, "optimizer": optimizer, "scheduler": scheduler, "shuffle": shuffle, "loader": loader}


def _train_epochs(run: dict, epochs: int) -> list:
    """Train ``epochs`` epochs (a step per batch, the scheduler once per epoch); returns the losses."""
    model, optimizer = run["model"], run["optimizer"]
    model.train()
    losses = []
    for _ in range(epochs):
        for x, y in run["loader"]:
            optimizer.zero_grad()
            loss = _api.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        run["scheduler"].step()
    return losses


def _save(save_checkpoint, run: dict, path: Path) -> None:
    save_checkpoint(_api, path, run["model"], run["optimizer"], run["scheduler"], run["shuffle"], 1, 0.75)


def _stopped_and_resumed(save_checkpoint, resume) -> tuple:
    """One epoch, a checkpoint, fresh objects (another seed) resumed from it, two more epochs: ``(losses of the
    last two epochs, final weights, what resume returned)``."""
    run = _training_run(seed=1)
    _train_epochs(run, 1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.pt"
        _save(save_checkpoint, run, path)
        fresh = _training_run(seed=2)
        returned = resume(_api, path, fresh["model"], fresh["optimizer"], fresh["scheduler"], fresh["shuffle"])
    return tuple(_train_epochs(fresh, 2)), _parameters(fresh["model"]), tuple(returned)


def _uninterrupted() -> tuple:
    run = _training_run(seed=1)
    return tuple(_train_epochs(run, 3)[3:]), _parameters(run["model"]), (1, 0.75)


class _CrashingSave:
    """The framework, except that ``save`` writes half a file and fails, as a full disk or a kill would."""

    def __init__(self, framework: Any):
        self._framework = framework

    def __getattr__(self, name: str) -> Any:
        return getattr(self._framework, name)

    def save(self, obj: Any, f: Any) -> None:
        Path(f).write_bytes(b"PK\x03\x04 half a checkpoint")
        raise OSError("no space left on device (simulated by the check)")


def _old_checkpoint_survives(save_checkpoint) -> Any:
    """Save a checkpoint, then crash while saving the next: the epoch the file holds afterwards."""
    import torch

    run = _training_run(seed=1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.pt"
        _save(save_checkpoint, run, path)
        try:
            save_checkpoint(_CrashingSave(_api), path, run["model"], run["optimizer"], run["scheduler"],
                            run["shuffle"], 2, 0.8)
        except OSError:
            pass
        return torch.load(path, weights_only=True)["epoch"]


def _read_by_torch(save_checkpoint) -> tuple:
    """The checkpoint as ``torch.load(weights_only=True)`` reads it: its keys and the model's tensors."""
    import torch

    run = _training_run(seed=1)
    _train_epochs(run, 1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.pt"
        _save(save_checkpoint, run, path)
        state = torch.load(path, weights_only=True)
    return tuple(sorted(state)), tuple(state["model"].values()), tuple(run["model"].state_dict().values())


def _resumed_equals_uninterrupted() -> Iterator[Case]:
    """The two cases 4.6 and 4.7 share: a stopped-and-resumed run's losses and weights, exactly."""
    yield Case("the resumed run's losses equal the uninterrupted run's", _CHECKPOINT_RUN,
               actual=lambda: _stopped_and_resumed(_script().save_checkpoint, _script().resume)[0],
               expected=lambda: _uninterrupted()[0], rtol=0, atol=0, reference_is_torch=False)
    yield Case("the resumed run's weights equal the uninterrupted run's", _CHECKPOINT_RUN,
               actual=lambda: _stopped_and_resumed(_script().save_checkpoint, _script().resume)[1],
               expected=lambda: _uninterrupted()[1], rtol=0, atol=0, reference_is_torch=False)


@register_check("4.6")
def check_save_checkpoint() -> Iterator[Case]:
    """Your ``save_checkpoint``: resumed runs continue exactly, torch reads the file, a crash keeps the old one."""
    yield from _resumed_equals_uninterrupted()
    yield Case("torch.load(weights_only=True) reads the keys", "the checkpoint after one epoch",
               actual=lambda: _read_by_torch(_script().save_checkpoint)[0],
               expected=lambda: ("best", "epoch", "model", "optimizer", "rng", "scheduler", "shuffle"))
    yield Case("torch.load(weights_only=True) reads the weights", "the checkpoint after one epoch",
               actual=lambda: _read_by_torch(_script().save_checkpoint)[1],
               expected=lambda: _read_by_torch(_script().save_checkpoint)[2], rtol=0, atol=0, reference_is_torch=False)
    yield Case("a crash while saving keeps the old checkpoint (its epoch)",
               "a checkpoint of epoch 1, then torch.save failing halfway through epoch 2's",
               actual=lambda: _old_checkpoint_survives(_script().save_checkpoint), expected=lambda: 1)


@register_check("4.7")
def check_resume() -> Iterator[Case]:
    """Your ``resume``: a run stopped after one epoch and resumed continues exactly like the uninterrupted run."""
    yield from _resumed_equals_uninterrupted()
    yield Case("returns (epoch, best) as saved", "a checkpoint saved with epoch=1, best=0.75",
               actual=lambda: _stopped_and_resumed(_script().save_checkpoint, _script().resume)[2],
               expected=lambda: (1, 0.75))
