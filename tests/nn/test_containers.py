"""``nn.Sequential``, ``nn.ModuleList`` and ``nn.ModuleDict`` against torch: indexing, slicing, editing,
iteration and the names their items get (which become ``state_dict`` keys).

Each test is a function of the library ``L`` (``helpers.both``): the same results, or the same exception
type and message, in torch and course_lib.
"""

from __future__ import annotations

from collections import OrderedDict

import pytest

from helpers.both import raises_both, run_both


def layers(L, n=3):
    """``n`` distinguishable layers: Linear(1, 1), Linear(1, 2), ... (their reprs tell them apart)."""
    return [L.nn.Linear(1, k + 1) for k in range(n)]


def described(container):
    """What identifies a container's content: its type, its items' names and their reprs."""
    return type(container).__name__, [(name, repr(m)) for name, m in container.named_children()]


# ---------------------------------------------------------------------------------------------- Sequential


SEQUENTIAL = {
    "index": lambda L, s: s[1],
    "negative index": lambda L, s: s[-1],
    "slice": lambda L, s: described(s[1:]),
    "step slice": lambda L, s: described(s[::2]),
    "len": lambda L, s: len(s),
    "iteration": lambda L, s: [repr(m) for m in s],
    "append": lambda L, s: described(s.append(L.nn.ReLU())),
    "extend": lambda L, s: described(s.extend([L.nn.ReLU(), L.nn.Flatten()])),
    "insert": lambda L, s: described(s.insert(1, L.nn.ReLU())),
    "insert at the end": lambda L, s: described(s.insert(3, L.nn.ReLU())),
    "insert negative": lambda L, s: described(s.insert(-1, L.nn.ReLU())),
    "del": lambda L, s: (s.__delitem__(0), described(s))[1],
    "del negative": lambda L, s: (s.__delitem__(-2), described(s))[1],
    "del slice": lambda L, s: (s.__delitem__(slice(0, 2)), described(s))[1],
    "set item": lambda L, s: (s.__setitem__(-1, L.nn.ReLU()), described(s))[1],
    "pop": lambda L, s: (repr(s.pop(1)), described(s)),
    "plus": lambda L, s: described(s + L.nn.Sequential(L.nn.ReLU())),
    "plus equals": lambda L, s: (s.__iadd__(L.nn.Sequential(L.nn.ReLU())) is s, described(s)),
    "state_dict keys after del": lambda L, s: (s.__delitem__(0), list(s.state_dict()))[1],
    "forward": lambda L, s: L.nn.Sequential(L.nn.Flatten(), L.nn.ReLU(), L.nn.Identity())(L.tensor([[[-1.0, 2.0]]])),
    "dir has no numbers": lambda L, s: [name for name in dir(s) if name[:1].isdigit()],
}


@pytest.mark.parametrize("operation", sorted(SEQUENTIAL))
def test_sequential(operation):
    run_both(lambda L: SEQUENTIAL[operation](L, L.nn.Sequential(*layers(L))))


def test_sequential_of_an_ordered_dict_keeps_the_names():
    def named(L):
        model = L.nn.Sequential(OrderedDict([("fc", L.nn.Linear(2, 3)), ("act", L.nn.ReLU())]))
        return (described(model), described(model[1:]), list(model.state_dict()), repr(model.fc), repr(model[-1]),
                described(model.append(L.nn.ReLU())))

    run_both(named)


def test_an_empty_sequential_returns_its_input():
    run_both(lambda L: L.nn.Sequential()(L.tensor([1.0, 2.0])))


SEQUENTIAL_ERRORS = {
    "index out of range": lambda L, s: s[5],
    "negative index out of range": lambda L, s: s[-4],
    "float index": lambda L, s: s[1.0],
    "string index": lambda L, s: s["0"],
    "plus a list": lambda L, s: s + [L.nn.ReLU()],
    "plus equals a list": lambda L, s: s.__iadd__([L.nn.ReLU()]),
    "insert out of range": lambda L, s: s.insert(5, L.nn.ReLU()),
    "insert a tensor": lambda L, s: s.insert(0, L.ones(1)),
    "append a tensor": lambda L, s: s.append(L.ones(1)),
    "construct of a tensor": lambda L, s: L.nn.Sequential(L.ones(1)),
    "del out of range": lambda L, s: s.__delitem__(7),
    "set out of range": lambda L, s: s.__setitem__(3, L.nn.ReLU()),
    "empty index": lambda L, s: L.nn.Sequential()[0],
}


@pytest.mark.parametrize("bad", sorted(SEQUENTIAL_ERRORS))
def test_sequential_errors(bad):
    raises_both(lambda L: SEQUENTIAL_ERRORS[bad](L, L.nn.Sequential(*layers(L))))


# ---------------------------------------------------------------------------------------------- ModuleList


MODULE_LIST = {
    "index": lambda L, m: m[0],
    "negative index": lambda L, m: m[-2],
    "slice": lambda L, m: described(m[1:]),
    "len and iteration": lambda L, m: (len(m), [repr(x) for x in m]),
    "append": lambda L, m: (m.append(L.nn.ReLU()) is m, described(m)),
    "extend": lambda L, m: (m.extend([L.nn.ReLU(), L.nn.Flatten()]) is m, described(m)),
    "extend with a Sequential": lambda L, m: described(m.extend(L.nn.Sequential(L.nn.ReLU()))),
    "insert": lambda L, m: (m.insert(1, L.nn.ReLU()), described(m))[1],
    "insert at the end": lambda L, m: (m.insert(3, L.nn.ReLU()), described(m))[1],
    "plus equals": lambda L, m: (m.__iadd__([L.nn.ReLU()]) is m, described(m)),
    "plus": lambda L, m: (described(m + L.nn.ModuleList([L.nn.ReLU()])), len(m)),
    "del": lambda L, m: (m.__delitem__(1), described(m))[1],
    "del slice": lambda L, m: (m.__delitem__(slice(None, None, 2)), described(m))[1],
    "set item": lambda L, m: (m.__setitem__(-1, L.nn.ReLU()), described(m))[1],
    "pop": lambda L, m: (repr(m.pop(0)), described(m)),
    "parameters": lambda L, m: [name for name, _ in m.named_parameters()],
    "repr": lambda L, m: repr(m + L.nn.ModuleList([L.nn.ReLU(), L.nn.ReLU()])),
}


@pytest.mark.parametrize("operation", sorted(MODULE_LIST))
def test_module_list(operation):
    run_both(lambda L: MODULE_LIST[operation](L, L.nn.ModuleList(layers(L))))


MODULE_LIST_ERRORS = {
    "index out of range": lambda L, m: m[3],
    "extend with a module": lambda L, m: m.extend(L.nn.ReLU()),
    "extend with a number": lambda L, m: m.extend(3),
    "append a tensor": lambda L, m: m.append(L.ones(1)),
    "forward": lambda L, m: m(L.ones(1)),
    "del out of range": lambda L, m: m.__delitem__(-4),
}


@pytest.mark.parametrize("bad", sorted(MODULE_LIST_ERRORS))
def test_module_list_errors(bad):
    raises_both(lambda L: MODULE_LIST_ERRORS[bad](L, L.nn.ModuleList(layers(L))))


# ---------------------------------------------------------------------------------------------- ModuleDict


def head_dict(L):
    return L.nn.ModuleDict({"b": L.nn.Linear(1, 2), "a": L.nn.ReLU()})


MODULE_DICT = {
    "keys, values and items": lambda L, d: (list(d.keys()), [repr(v) for v in d.values()],
                                            [k for k, _ in d.items()]),
    "iteration and len": lambda L, d: (list(d), len(d)),
    "contains": lambda L, d: ("a" in d, "z" in d),
    "index": lambda L, d: d["b"],
    "set item": lambda L, d: (d.__setitem__("c", L.nn.Flatten()), described(d))[1],
    "update with a dict": lambda L, d: (d.update({"a": L.nn.Flatten(), "z": L.nn.ReLU()}), described(d))[1],
    "update with pairs": lambda L, d: (d.update([("z", L.nn.ReLU()), ("y", L.nn.Flatten())]), described(d))[1],
    "update with a ModuleDict": lambda L, d: (d.update(L.nn.ModuleDict({"q": L.nn.ReLU()})), described(d))[1],
    "pop": lambda L, d: (repr(d.pop("b")), described(d)),
    "del": lambda L, d: (d.__delitem__("a"), described(d))[1],
    "clear": lambda L, d: (d.clear(), described(d), len(d))[1:],
    "state_dict keys": lambda L, d: list(d.state_dict()),
    "attribute access": lambda L, d: repr(d.b),
    "repr": lambda L, d: repr(d),
    "of pairs": lambda L, d: described(L.nn.ModuleDict([("x", L.nn.ReLU()), ("w", L.nn.Flatten())])),
}


@pytest.mark.parametrize("operation", sorted(MODULE_DICT))
def test_module_dict(operation):
    run_both(lambda L: MODULE_DICT[operation](L, head_dict(L)))


MODULE_DICT_ERRORS = {
    "missing key": lambda L, d: d["z"],
    "pop a missing key": lambda L, d: d.pop("z"),
    "update with a number": lambda L, d: d.update(3),
    "update with a bad pair": lambda L, d: d.update([("x", L.nn.ReLU(), 1)]),
    "update with a non-iterable element": lambda L, d: d.update([3]),
    "a dotted key": lambda L, d: d.__setitem__("a.b", L.nn.ReLU()),
    "a tensor value": lambda L, d: d.__setitem__("t", L.ones(1)),
    "a key named like a method": lambda L, d: d.__setitem__("keys", L.nn.ReLU()),
}


@pytest.mark.parametrize("bad", sorted(MODULE_DICT_ERRORS))
def test_module_dict_errors(bad):
    # torch's message for a non-iterable pair misses a space ("; isint"): course_lib's has it
    raises_both(lambda L: MODULE_DICT_ERRORS[bad](L, head_dict(L)), message=bad != "update with a non-iterable element")
