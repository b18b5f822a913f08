"""course_lib and torch tensors do not mix, and say so: TypeError naming both types and how to convert.

Running both libraries side by side is the course's daily routine, so mixing them up is the most common
mistake; ``course_lib.interop`` converts (a copy, both ways).
"""

from __future__ import annotations

import pytest
import torch

import course_lib
from helpers.tensors import assert_same

MIXED = {
    "cl + torch": lambda: course_lib.ones(2) + torch.ones(2),
    "torch + cl": lambda: torch.ones(2) + course_lib.ones(2),
    "cl * torch": lambda: course_lib.ones(2) * torch.ones(2),
    "cl.add(cl, torch)": lambda: course_lib.add(course_lib.ones(2), torch.ones(2)),
    "cl.exp(torch)": lambda: course_lib.exp(torch.ones(2)),
    "cl.cat([cl, torch])": lambda: course_lib.cat([course_lib.ones(2), torch.ones(2)]),
    "cl.stack([cl, torch])": lambda: course_lib.stack([course_lib.ones(2), torch.ones(2)]),
    "cl == torch": lambda: course_lib.ones(2) == torch.ones(2),
    "torch == cl": lambda: torch.ones(2) == course_lib.ones(2),
    "cl < torch": lambda: course_lib.ones(2) < torch.ones(2),
    "cl @ torch": lambda: course_lib.ones(2, 2) @ torch.ones(2, 2),
    "cl.sum(torch)": lambda: course_lib.sum(torch.ones(2)),
    "cl.mean(torch)": lambda: course_lib.mean(torch.ones(2)),
    "cl.reshape(torch)": lambda: course_lib.reshape(torch.ones(2), (2,)),
    "cl.softmax(torch)": lambda: course_lib.softmax(torch.ones(2), 0),
    "cl.where(cond, torch, cl)": lambda: course_lib.where(course_lib.ones(2) > 0, torch.ones(2), course_lib.ones(2)),
    "cl.add_(torch)": lambda: course_lib.ones(2).add_(torch.ones(2)),
    "cl.tensor(torch)": lambda: course_lib.tensor(torch.ones(2)),
}


@pytest.mark.parametrize("name", sorted(MIXED))
def test_mixing_raises_a_type_error_that_says_how_to_convert(name):
    with pytest.raises(TypeError) as caught:
        MIXED[name]()
    message = str(caught.value)
    assert "torch.Tensor" in message and "course_lib" in message and "from_torch" in message, message


def test_interop_copies_both_ways():
    theirs = torch.tensor([[1.5, -2.0]], dtype=torch.float64, requires_grad=True)
    ours = course_lib.interop.from_torch(theirs)
    assert_same(ours, theirs.detach())
    assert ours.requires_grad and ours.grad_fn is None  # a leaf: the graph is not copied
    back = course_lib.interop.to_torch(ours)
    torch.testing.assert_close(back, theirs.detach())
    back[0, 0] = 9.0  # copies: neither shares memory with the other
    assert ours[0, 0].item() == 1.5
    with pytest.raises(TypeError, match="expects a torch.Tensor"):
        course_lib.interop.from_torch([1.0])
