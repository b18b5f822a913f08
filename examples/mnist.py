"""Train a digit classifier on MNIST, with course_lib or with torch: the structure of pytorch/examples' MNIST
script (argparse, device-agnostic code, train/test functions, Adadelta with StepLR), plus a validation split
with best-model saving, per-epoch checkpoints with exact resume, and progress bars.

The two frameworks differ only in the import: ``--framework course_lib`` or ``--framework torch`` binds the
name ``torch`` to one or the other, and everything below is written once.

Models (``--model``):

- ``mlp``: two hidden layers, 784 -> 512 -> 256 -> 10 with ReLU (535,818 parameters);
- ``cnn``: the small CNN, conv 1->16 5x5 (padding 2), ReLU, max-pool 2, conv 16->32 5x5 (padding 2), ReLU,
  max-pool 2, 1568 -> 10 (28,938 parameters);
- ``examples-cnn``: pytorch/examples' network, conv 1->32 3x3, conv 32->64 3x3, max-pool 2, dropout 0.25,
  9216 -> 128, dropout 0.5, 128 -> 10 (1,199,882 parameters).

Examples::

    python examples/mnist.py --model cnn --epochs 5                  # course_lib
    python examples/mnist.py --model cnn --epochs 5 --framework torch
    python examples/mnist.py --model mlp --epochs 3 --checkpoint runs/mlp.pt   # kill it, then add --resume

Data-parallel training: started by ``torchrun``, the script runs one copy per process, each on its share of
every epoch (``DistributedSampler``) with the model wrapped in ``DistributedDataParallel``; ``--batch-size`` is
per process, as in torch's scripts. Rank 0 alone prints, evaluates and saves checkpoints (the others wait at a
barrier); every rank resumes from the file, with ``map_location``::

    torchrun --nproc_per_node=2 examples/mnist.py --model mlp --epochs 1 --batch-size 32   # 2 x 32 per step

A missing or damaged MNIST prints ``make data``'s message (which file, why, how to fix) and exits with 2.
Progress bars are off when the ``CI`` or ``TQDM_DISABLE`` environment variable is set.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python examples/mnist.py` from anywhere imports this checkout's course_lib
    sys.path.insert(0, str(REPO))

from tqdm.auto import tqdm  # noqa: E402  (a widget in a notebook, a text bar in a terminal)

MEAN, STD = 0.1307, 0.3081  # MNIST's pixel mean and standard deviation over the training set


def default_data() -> Path:
    """The ``data`` folder holding ``MNIST/raw``: this checkout's, or the course's above it (a workspace
    lives inside the course repository, whose ``make data`` fetched MNIST)."""
    for folder in (REPO, *REPO.parents):
        if (folder / "data" / "MNIST" / "raw").is_dir():
            return folder / "data"
    return REPO / "data"


def arguments(argv: Optional[list] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="MNIST with course_lib or torch (the small CNN: conv 1->16 5x5, "
                                     "max-pool, conv 16->32 5x5, max-pool, linear 1568->10)")
    parser.add_argument("--framework", choices=["course_lib", "torch"], default="course_lib")
    parser.add_argument("--model", choices=["mlp", "cnn", "examples-cnn"], default="cnn")
    parser.add_argument("--batch-size", type=int, default=64, help="training batch size (default 64)")
    parser.add_argument("--test-batch-size", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=1.0, help="Adadelta's learning rate (default 1.0)")
    parser.add_argument("--gamma", type=float, default=0.7, help="StepLR's factor per epoch (default 0.7)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--device", default="cpu",
                        help="cpu or cuda (torch: a GPU; course_lib: a GPU, or simulated by Triton's interpreter)")
    parser.add_argument("--val-split", type=float, default=0.0,
                        help="fraction of the training set held out to pick the best epoch (saved next to "
                             "--checkpoint as *.best.pt)")
    parser.add_argument("--checkpoint", type=Path, help="write model, optimizer, scheduler, RNG and epoch here "
                                                        "after every epoch (atomically)")
    parser.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    parser.add_argument("--train-subset", type=int, default=0, help="use only the first N training images")
    parser.add_argument("--test-subset", type=int, default=0, help="use only the first N test images")
    parser.add_argument("--log-interval", type=int, default=100, help="batches between loss lines")
    parser.add_argument("--data", type=Path, default=default_data(), help="the folder holding MNIST/raw")
    return parser.parse_args(argv)


def load_framework(name: str):
    """The framework module: ``course_lib`` or ``torch``."""
    return importlib.import_module(name)


def build_model(torch, name: str):
    nn = torch.nn
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                             nn.Linear(256, 10))
    if name == "cnn":
        return nn.Sequential(nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(32 * 7 * 7, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 3, 1), nn.ReLU(), nn.Conv2d(32, 64, 3, 1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(128, 10))


def datasets(torch, args: argparse.Namespace):
    """(train, test) MNIST datasets, normalised; course_lib's own reader, or torchvision's for torch."""
    if torch.__name__ == "torch":
        from torchvision import datasets as vision, transforms  # the data of the torch run: torchvision's
    else:
        from course_lib.datasets import transforms
        import course_lib.datasets as vision
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))])
    train = vision.MNIST(str(args.data), train=True, transform=transform)
    test = vision.MNIST(str(args.data), train=False, transform=transform)
    data = torch.utils.data
    if args.train_subset:
        train = data.Subset(train, range(args.train_subset))
    if args.test_subset:
        test = data.Subset(test, range(args.test_subset))
    return train, test


def progress(iterable, **options):
    """tqdm's bar, off under CI or TQDM_DISABLE (a notebook is never a TTY, so that is the switch)."""
    off = bool(os.environ.get("CI") or os.environ.get("TQDM_DISABLE"))
    return tqdm(iterable, disable=off, leave=False, **options)


def train_step(torch, model, optimizer, images, labels) -> float:
    """One optimisation step on one batch, in the mode the model is in.

    Args:
        torch: the framework (``course_lib`` or ``torch``).
        model: maps images ``(N, 1, 28, 28)`` to logits ``(N, 10)``.
        optimizer: holds ``model``'s parameters.
        images, labels: one batch, already on the model's device; labels ``(N,)`` int64.

    Returns:
        The batch's mean cross-entropy loss, as a Python float.
    """
    # BEGIN EXERCISE 4.3
    optimizer.zero_grad()  # gradients add up: forget the previous step's
    loss = torch.nn.functional.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.item()  # a Python float: logging it never keeps the graph alive
    # END EXERCISE 4.3


def train_epoch(torch, model, loader, optimizer, device, epoch: int, log_interval: int) -> Dict[str, float]:
    """One pass over ``loader`` in training mode: returns the mean loss and the seconds spent waiting for data
    and computing."""
    model.train()
    waited = computed = total = 0.0
    count = 0
    started = time.perf_counter()
    for batch, (images, labels) in enumerate(progress(loader, desc=f"epoch {epoch}")):
        ready = time.perf_counter()
        waited += ready - started
        value = train_step(torch, model, optimizer, images.to(device), labels.to(device))
        total += value * len(labels)
        count += len(labels)
        if log_interval and batch % log_interval == 0:
            tqdm.write(f"epoch {epoch} [{count:5d}/{len(loader.sampler)}] loss {value:.6f}")
        started = time.perf_counter()
        computed += started - ready
    return {"loss": total / max(count, 1), "data_s": waited, "compute_s": computed, "images": count}


def count_correct(logits, labels) -> int:
    """How many rows of ``logits`` ``(N, C)`` score highest at their label's column (``labels``: ``(N,)``).

    A tie counts for the first of the highest columns, as ``argmax`` picks it. Returns a Python int.
    """
    # BEGIN EXERCISE 4.5
    return int((logits.argmax(dim=1) == labels).sum().item())
    # END EXERCISE 4.5


def evaluate(torch, model, loader, device) -> Dict[str, float]:
    """Mean loss per image and accuracy over ``loader``, in eval mode and without recording a graph.

    Leaves ``model`` in eval mode (``train_epoch`` switches it back). Returns ``{"loss": float, "accuracy":
    float}``, both averaged over images, not batches (the last batch may be smaller).
    """
    F = torch.nn.functional
    # BEGIN EXERCISE 4.4
    model.eval()  # dropout off, batch norm uses its running statistics
    loss, correct, count = 0.0, 0, 0
    with torch.no_grad():  # no graph: less memory, less time
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            loss += F.cross_entropy(logits, labels, reduction="sum").item()
            correct += count_correct(logits, labels)
            count += len(labels)
    return {"loss": loss / count, "accuracy": correct / count}
    # END EXERCISE 4.4


def save_atomically(torch, state: Dict[str, Any], path: Path) -> None:
    """``torch.save`` to a temporary file next to ``path``, then rename it: a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    torch.save(state, temporary)
    os.replace(temporary, path)


def save_checkpoint(torch, path: Path, model, optimizer, scheduler, shuffle, epoch: int, best: float) -> None:
    """Write everything a run needs to continue exactly after ``epoch`` to ``path``, atomically.

    The file is a ``torch.save`` file of a dict: ``model``, ``optimizer`` and ``scheduler`` (their state
    dicts), ``rng`` (the global generator's state: dropout), ``shuffle`` (the state of ``shuffle``, the
    generator that orders the batches), ``epoch`` and ``best`` (the best validation accuracy so far).
    ``torch.load(path, weights_only=True)`` reads it.
    """
    # BEGIN EXERCISE 4.6
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
             "rng": torch.get_rng_state(), "shuffle": shuffle.get_state(), "epoch": epoch, "best": best}
    save_atomically(torch, state, path)
    # END EXERCISE 4.6


def resume(torch, path: Path, model, optimizer, scheduler, shuffle, map_location=None) -> Tuple[int, float]:
    """Restore a :func:`save_checkpoint` file into freshly built objects, in place.

    ``model`` must be on its device and ``optimizer`` built on its parameters already (its state is then
    moved where the parameters are). ``map_location`` is ``torch.load``'s: where the file's tensors are read
    to (a data-parallel process on GPU 1 maps the ``"cuda:0"`` that rank 0 saved from to ``"cuda:1"``).
    Returns ``(epoch, best)``: the last finished epoch and the best validation accuracy, as saved.
    """
    # BEGIN EXERCISE 4.7
    state = torch.load(path, map_location=map_location, weights_only=True)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["rng"])
    shuffle.set_state(state["shuffle"])
    return state["epoch"], state["best"]
    # END EXERCISE 4.7


def normalised_training_images(data: Optional[Path] = None):
    """MNIST's training images as one float32 NumPy array ``(60000, 1, 28, 28)``, normalised, and the labels
    (read once with course_lib's reader: the same bytes torchvision reads)."""
    from course_lib.datasets import MNIST

    train = MNIST(data or default_data(), train=True)
    images = (train.data.numpy().astype("float32") / 255 - MEAN) / STD
    return images[:, None], train.targets.numpy()


def losses_side_by_side(images, labels, steps: int = 300, batch_size: int = 64, lr: float = 0.1,
                        seed: int = 0, double: bool = False) -> Dict[str, list]:
    """Train the MLP in course_lib and in torch from the same (torch's) initial weights on the same batches (one
    torch-made permutation), with SGD and no dropout; returns each framework's loss at every step.

    In float32 the two agree to ~1e-6 until a ReLU's input lands within rounding of 0 in one framework and not
    in the other (their matrix products add in different orders); from then on the curves differ by ~1e-3
    while learning alike. ``double=True`` trains in float64, where that takes far longer to happen."""
    import course_lib
    import torch as real_torch

    real_torch.manual_seed(seed)
    reference = build_model(real_torch, "mlp")
    order = real_torch.randperm(len(images)).numpy()
    losses: Dict[str, list] = {}
    for framework in (course_lib, real_torch):
        model = build_model(framework, "mlp")
        model.load_state_dict(reference.state_dict())
        if double:
            model = model.double()
        optimizer = framework.optim.SGD(model.parameters(), lr=lr)
        values = losses[framework.__name__] = []
        for step in range(steps):
            batch = order[step * batch_size:(step + 1) * batch_size]
            x, y = framework.tensor(images[batch]), framework.tensor(labels[batch])
            x = x.double() if double else x
            optimizer.zero_grad()
            loss = framework.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            values.append(loss.item())
    return losses


def join_process_group(torch, args: argparse.Namespace) -> Tuple[int, int, Any]:
    """``(rank, world_size, device)``; under ``torchrun`` (``WORLD_SIZE`` > 1) joins its process group first.

    The backend is NCCL for torch on GPUs, gloo otherwise; each process of a machine takes the GPU numbered by
    its ``LOCAL_RANK``. Progress bars are switched off in every process but rank 0's.
    """
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size == 1:
        return 0, 1, torch.device(args.device)
    on_gpus = args.device.startswith("cuda") and torch.__name__ == "torch"
    torch.distributed.init_process_group("nccl" if on_gpus else "gloo")
    rank, local_rank = torch.distributed.get_rank(), int(os.environ.get("LOCAL_RANK", "0"))
    if rank != 0:
        os.environ["TQDM_DISABLE"] = "1"
    return rank, world_size, torch.device(f"cuda:{local_rank}" if on_gpus else args.device)


def run(argv: Optional[list] = None) -> Dict[str, Any]:
    args = arguments(argv)
    torch = load_framework(args.framework)
    rank, world_size, device = join_process_group(torch, args)
    # Seeding: one seed for the weights, dropout and shuffling. Torch's scripts also ask cuDNN for its
    # deterministic algorithms (GPU convolutions may otherwise pick different, non-deterministic kernels);
    # course_lib accepts the switches and computes the same way every run anyway.
    torch.manual_seed(args.seed)
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    from course_lib.datasets import MNISTFetchError
    try:
        train_set, test_set = datasets(torch, args)
    except (MNISTFetchError, RuntimeError) as error:  # torchvision raises RuntimeError("Dataset not found")
        print(f"MNIST is not ready: {error}\nFix: run `make data`.", file=sys.stderr)
        raise SystemExit(2)
    data = torch.utils.data
    val_set = None
    if args.val_split:
        held_out = int(len(train_set) * args.val_split)
        train_set, val_set = data.random_split(train_set, [len(train_set) - held_out, held_out],
                                               generator=torch.Generator().manual_seed(args.seed))
    shuffle = torch.Generator().manual_seed(args.seed)  # the order of the batches, saved in checkpoints
    sampler = None
    if world_size > 1:  # each process its share of the epoch, in an order drawn from the seed and the epoch
        sampler = data.distributed.DistributedSampler(train_set, num_replicas=world_size, rank=rank, seed=args.seed)
    train_loader = data.DataLoader(train_set, batch_size=args.batch_size, shuffle=sampler is None,
                                   sampler=sampler, generator=shuffle)
    test_loader = data.DataLoader(test_set, batch_size=args.test_batch_size)
    val_loader = data.DataLoader(val_set, batch_size=args.test_batch_size) if val_set is not None else None

    say = print if rank == 0 else (lambda *words, **options: None)
    bare = model = build_model(torch, args.model).to(device)  # on the device before the optimizer sees it
    if world_size > 1:  # rank 0's weights broadcast; gradients averaged over the processes in backward
        model = torch.nn.parallel.DistributedDataParallel(model,
                                                          device_ids=[device] if device.type == "cuda" else None)
    say(f"{args.framework}: {args.model}, {sum(p.numel() for p in model.parameters()):,} parameters"
        + (f", {world_size} processes x {args.batch_size} images per step" if world_size > 1 else ""))
    optimizer = torch.optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=args.gamma)
    first_epoch, best = 1, -1.0
    if args.resume:  # each process reads rank 0's file onto its own device
        location = {"cuda:0": str(device)} if device.type == "cuda" else "cpu"
        last, best = resume(torch, args.checkpoint, bare, optimizer, scheduler, shuffle, map_location=location)
        first_epoch = last + 1
        say(f"resumed after epoch {last}")

    history = []
    for epoch in range(first_epoch, args.epochs + 1):
        started = time.perf_counter()
        if sampler is not None:
            sampler.set_epoch(epoch)  # a new order each epoch, the same in every process
        logged = args.log_interval if rank == 0 else 0
        trained = train_epoch(torch, model, train_loader, optimizer, device, epoch, logged)
        if rank != 0:  # rank 0 evaluates, logs and saves (below) while the others wait for it
            scheduler.step()
            torch.distributed.barrier()
            continue
        tested = evaluate(torch, bare, test_loader, device)
        seconds = time.perf_counter() - started
        record = {"epoch": epoch, "train_loss": trained["loss"], "test_loss": tested["loss"],
                  "test_accuracy": tested["accuracy"], "seconds": seconds,
                  "images_per_s": trained["images"] / (trained["data_s"] + trained["compute_s"]),
                  "data_s": trained["data_s"], "compute_s": trained["compute_s"]}
        if val_loader is not None:
            record["val_accuracy"] = evaluate(torch, bare, val_loader, device)["accuracy"]  # bare: no collectives
            if record["val_accuracy"] > best and args.checkpoint:
                best = record["val_accuracy"]
                save_atomically(torch, bare.state_dict(), args.checkpoint.with_suffix(".best.pt"))
        history.append(record)
        print(f"epoch {epoch}: train loss {trained['loss']:.6f}, test loss {tested['loss']:.4f}, accuracy "
              f"{100 * tested['accuracy']:.2f}%, {seconds:.1f} s ({record['images_per_s']:.0f} images/s; data "
              f"{trained['data_s']:.1f} s, compute {trained['compute_s']:.1f} s)", flush=True)
        scheduler.step()
        if args.checkpoint:  # the unwrapped model: its keys have no "module." and load in a 1-process run
            save_checkpoint(torch, args.checkpoint, bare, optimizer, scheduler, shuffle, epoch, best)
        if world_size > 1:
            torch.distributed.barrier()  # the file is complete before any process goes on (or reads it)
    if world_size > 1:
        torch.distributed.destroy_process_group()
    return {"args": args, "history": history, "model": bare, "rank": rank, "world_size": world_size}


if __name__ == "__main__":
    run()
