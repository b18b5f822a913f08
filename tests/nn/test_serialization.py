"""``save``/``load`` in torch's file format: course_lib's files load with ``torch.load(weights_only=True)`` and
torch's load here, bit for bit, both ways; a whole training checkpoint (model, optimizer, scheduler, RNG state)
round-trips through torch and back; loading never runs code; a truncated file is refused whole; saving is atomic."""

from __future__ import annotations

import io
import os
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import course_lib


def model_and_training_state(L):
    """A small model, an Adam optimizer after two steps, a StepLR, and the RNG state: a chapter-04 checkpoint."""
    model = L.nn.Sequential(L.nn.Linear(3, 4), L.nn.ReLU(), L.nn.BatchNorm1d(4), L.nn.Linear(4, 2))
    optimizer = L.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    scheduler = L.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    data = L.tensor(np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3))
    for _ in range(2):
        optimizer.zero_grad()
        model(data).pow(2).sum().backward()
        optimizer.step()
        scheduler.step()
    return {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
            "epoch": 2, "rng": L.get_rng_state(), "note": "best so far", "losses": [0.5, 0.25]}


def as_plain(value):
    """Nested containers with each tensor as (dtype name, shape, bytes), for bit-for-bit comparison."""
    if isinstance(value, (torch.Tensor, course_lib.Tensor)):
        array = value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else value.detach().cpu().numpy()
        return (str(value.dtype).split(".")[-1], tuple(value.shape), np.ascontiguousarray(array).tobytes())
    if isinstance(value, dict):
        return type(value).__name__, {key: as_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value).__name__, [as_plain(item) for item in value]
    return value


def test_a_course_lib_checkpoint_loads_in_torch_and_comes_back_bit_for_bit(tmp_path):
    checkpoint = model_and_training_state(course_lib)
    course_lib.save(checkpoint, tmp_path / "ours.pt")
    in_torch = torch.load(tmp_path / "ours.pt", weights_only=True)
    assert as_plain(in_torch) == as_plain(checkpoint)
    assert in_torch["model"]._metadata == checkpoint["model"]._metadata
    torch.save(in_torch, tmp_path / "again.pt")
    assert as_plain(course_lib.load(tmp_path / "again.pt")) == as_plain(checkpoint)


def test_a_torch_checkpoint_loads_here_and_resumes_training_like_torch(tmp_path):
    assert as_plain(course_lib.load(_saved_by_torch(tmp_path))) == as_plain(torch.load(tmp_path / "theirs.pt"))
    data = np.linspace(-1, 1, 15).reshape(5, 3)  # float64, and tanh: no exactly-zero gradient for Adam to amplify
    trained = []
    for L in (course_lib, torch):
        loaded = L.load(tmp_path / "theirs.pt")
        model = L.nn.Sequential(L.nn.Linear(3, 4), L.nn.Tanh(), L.nn.Linear(4, 2)).double()
        model.load_state_dict(loaded["model"])
        optimizer = L.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
        optimizer.load_state_dict(loaded["optimizer"])
        scheduler = L.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
        scheduler.load_state_dict(loaded["scheduler"])
        for _ in range(2):
            optimizer.zero_grad()
            model(L.tensor(data)).pow(2).sum().backward()
            optimizer.step()
            scheduler.step()
        trained.append([p.detach().cpu().numpy() for p in model.parameters()] + [scheduler.get_last_lr()])
    for ours, theirs in zip(*trained):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def _saved_by_torch(tmp_path):
    """torch's checkpoint of a float64 tanh model after two Adam steps, with its scheduler."""
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    data = torch.tensor(np.linspace(-1, 1, 15).reshape(5, 3))
    for _ in range(2):
        optimizer.zero_grad()
        model(data).pow(2).sum().backward()
        optimizer.step()
        scheduler.step()
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict()}, tmp_path / "theirs.pt")
    return tmp_path / "theirs.pt"


def test_weights_copy_between_the_libraries_in_one_line():
    ours = course_lib.nn.Linear(3, 2)
    theirs = torch.nn.Linear(3, 2)
    ours.load_state_dict(theirs.state_dict())  # torch tensors are read through __array__
    np.testing.assert_array_equal(ours.weight.detach().cpu().numpy(), theirs.weight.detach().cpu().numpy())
    back = torch.nn.Linear(3, 2)
    source = course_lib.nn.Linear(3, 2)
    back.load_state_dict(course_lib.interop.state_dict_to_torch(source.state_dict()))
    np.testing.assert_array_equal(back.bias.detach().cpu().numpy(), source.bias.detach().cpu().numpy())
    again = course_lib.interop.state_dict_from_torch(back.state_dict())
    assert isinstance(again["weight"], course_lib.Tensor) and again._metadata == back.state_dict()._metadata
    buffer = io.BytesIO()
    course_lib.save(course_lib.nn.Linear(3, 2).state_dict(), buffer)
    buffer.seek(0)
    back.load_state_dict(torch.load(buffer, weights_only=True))


def test_views_that_shared_memory_share_it_again(tmp_path):
    base = course_lib.arange(12.0).reshape(3, 4)
    course_lib.save({"base": base, "column": base[:, 1], "transposed": base.t()}, tmp_path / "views.pt")
    for loaded in (course_lib.load(tmp_path / "views.pt"), torch.load(tmp_path / "views.pt", weights_only=True)):
        loaded["base"][0, 1] = 100.0
        assert loaded["column"][0].item() == 100.0 and loaded["transposed"][1, 0].item() == 100.0


def test_loading_never_runs_code(tmp_path):
    class Payload:
        def __reduce__(self):
            return (os.system, ("echo hacked",))

    torch.save({"weights": torch.ones(2), "payload": Payload()}, tmp_path / "evil.pt")
    with pytest.raises(pickle.UnpicklingError, match="posix.system|os.system|nt.system"):
        course_lib.load(tmp_path / "evil.pt")


def test_saving_something_torch_cannot_load_safely_is_refused():
    with pytest.raises(pickle.PicklingError, match="Linear"):
        course_lib.save({"model": course_lib.nn.Linear(2, 2)}, io.BytesIO())


def test_a_truncated_file_is_refused_whole(tmp_path):
    course_lib.save({"w": course_lib.ones(100)}, tmp_path / "whole.pt")
    data = (tmp_path / "whole.pt").read_bytes()
    (tmp_path / "cut.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(RuntimeError, match="not a complete checkpoint"):
        course_lib.load(tmp_path / "cut.pt")


def test_a_failed_save_leaves_the_previous_file(tmp_path):
    target = tmp_path / "keep.pt"
    course_lib.save({"w": course_lib.ones(2)}, target)
    before = target.read_bytes()
    with pytest.raises(pickle.PicklingError):
        course_lib.save({"w": course_lib.zeros(2), "bad": object()}, target)
    assert target.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["keep.pt"]


def test_the_rng_state_is_a_uint8_tensor_that_restores_the_stream():
    state = course_lib.get_rng_state()
    first = course_lib.rand(4).tolist()
    course_lib.set_rng_state(state)
    assert state.dtype == course_lib.uint8 and course_lib.rand(4).tolist() == first
    with pytest.raises(RuntimeError, match="uint8"):
        course_lib.set_rng_state(course_lib.zeros(3))


def test_an_ordered_dict_keeps_its_order_and_type(tmp_path):
    ordered = OrderedDict([("z", course_lib.ones(1)), ("a", 2)])
    course_lib.save(ordered, tmp_path / "o.pt")
    loaded = course_lib.load(tmp_path / "o.pt")
    assert type(loaded) is OrderedDict and list(loaded) == ["z", "a"]


def saved_from_cuda(path):
    """A course_lib file rewritten as if its storages were saved from "cuda:0" (as a GPU run's checkpoint is)."""
    import zipfile

    original = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    (pickled,) = [name for name in entries if name.endswith("data.pkl")]
    entries[pickled] = entries[pickled].replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
    assert b"cuda:0" in entries[pickled]
    moved = path.with_name("cuda_" + path.name)
    with zipfile.ZipFile(moved, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return moved


def test_map_location_maps_saved_locations_as_torch_does(tmp_path):
    state = {"weight": course_lib.arange(6.0).reshape(2, 3), "step": 3}
    course_lib.save(state, tmp_path / "state.pt")
    from_gpu = saved_from_cuda(tmp_path / "state.pt")
    theirs = torch.load(from_gpu, map_location={"cuda:0": "cpu"}, weights_only=True)  # torch: needs the mapping here
    for map_location in ({"cuda:0": "cpu"}, "cpu", course_lib.device("cpu"), torch.device("cpu")):
        ours = course_lib.load(from_gpu, map_location=map_location)
        assert ours["step"] == theirs["step"] and ours["weight"].device.type == "cpu"
        torch.testing.assert_close(torch.from_numpy(ours["weight"].numpy()), theirs["weight"])
    with pytest.raises(TypeError, match="map_location must be a device, a device name or a dict of location names, "
                                        "but got function"):
        course_lib.load(tmp_path / "state.pt", map_location=lambda storage, location: storage)
