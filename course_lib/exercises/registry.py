"""The table of exercises: id, title, where it lives, which notebook section teaches it.

Every ``# BEGIN EXERCISE <id>`` marker in ``course_lib/``, ``examples/`` or ``notebooks/`` has one entry
here, and every entry has a check in ``course_lib/checks``; ``tests/course/test_integrity.py``
keeps the three in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List

NOTEBOOKS: Dict[int, str] = {
    0: "notebooks/00_getting_started.ipynb",
    1: "notebooks/01_tensors.ipynb",
    2: "notebooks/02_autograd.ipynb",
    3: "notebooks/03_neural_networks.ipynb",
    4: "notebooks/04_mnist_training.ipynb",
    5: "notebooks/05_gpus_and_kernels.ipynb",
    6: "notebooks/06_parallel_training.ipynb",
}


@dataclass(frozen=True)
class Exercise:
    """One exercise.

    Attributes:
        id: ``"<chapter>.<n>"``, e.g. ``"1.4"``.
        title: a few words, shown by ``list``.
        file: path of the file holding the markers, relative to the edition root.
        function: the function (``.py``) or cell (``.ipynb``) the learner completes.
        section: the notebook section that teaches it.
        hint: one or two sentences left in the learner edition above the stub.
    """

    id: str
    title: str
    file: str
    function: str
    section: str
    hint: str

    @property
    def chapter(self) -> int:
        return int(self.id.split(".")[0])

    @property
    def notebook(self) -> str:
        return NOTEBOOKS[self.chapter]

    @property
    def place(self) -> str:
        """``"course_lib/shape.py: numel"``: where to go, as error messages say it."""
        return f"{self.file}: {self.function}"

    @property
    def sort_key(self) -> tuple:
        return tuple(int(part) for part in self.id.split("."))


EXERCISES: List[Exercise] = [
    Exercise(
        "0.1", "number of elements of a shape", "course_lib/shape.py", "numel", "Your first exercise",
        "Multiply the sizes together. What is the product of no numbers at all?",
    ),
    Exercise(
        "1.1", "contiguous strides of a shape", "course_lib/shape.py", "contiguous_strides",
        "Storage, shape and strides",
        "Walk the shape from the last dimension to the first: the last stride is 1, each earlier one is the "
        "stride after it times the size after it (count a size of 0 as 1, as torch does).",
    ),
    Exercise(
        "1.2", "index to storage position", "course_lib/shape.py", "index_to_position", "Storage, shape and strides",
        "Start from the offset and add each coordinate times the stride of its dimension.",
    ),
    Exercise(
        "1.3", "storage position to index (row-major)", "course_lib/shape.py", "position_to_index",
        "Storage, shape and strides",
        "Read it like an odometer: the last coordinate is position % (last size); divide position by that "
        "size and repeat for the dimension before.",
    ),
    Exercise(
        "1.4", "broadcast two shapes", "course_lib/shape.py", "broadcast_shape", "Broadcasting",
        "Pad the shorter shape with 1s on the left, then compare the sizes pair by pair; when they differ and "
        "neither is 1, raise RuntimeError with torch's message.",
    ),
    Exercise(
        "1.5", "index into a broadcast input", "course_lib/shape.py", "broadcast_index", "Broadcasting",
        "Drop the extra leading coordinates of big_index, and use coordinate 0 wherever the input's size is 1.",
    ),
    Exercise(
        "1.6", "elementwise map loop", "course_lib/backends/python_backend.py", "map_loop", "A backend of loops",
        "For every output position: position_to_index gives the index; index_to_position finds it in x and "
        "in out (each with its own strides and offset).",
    ),
    Exercise(
        "1.7", "elementwise zip loop with broadcasting", "course_lib/backends/python_backend.py", "zip_loop",
        "A backend of loops",
        "Like map_loop, but turn the output index into an index of a and of b with broadcast_index first.",
    ),
    Exercise(
        "1.8", "permute shape and strides", "course_lib/shape.py", "permute_shape_strides",
        "Views: transpose and permute",
        "Dimension i of the result is dimension dims[i] of the input: take that dimension's size and stride.",
    ),
    Exercise(
        "1.9", "strides of a view (torch's view rule)", "course_lib/shape.py", "view_strides",
        "Views: view and reshape",
        "Walk the old dimensions from the last; a chunk ends where the next dimension is not contiguous with "
        "it; the new dimensions covering a chunk get evenly spaced strides; return None if one straddles two chunks.",
    ),
    Exercise(
        "1.10", "layout of a slice", "course_lib/shape.py", "slice_layout", "Indexing and slicing",
        "index.indices(size) clips start, stop and step for you; the new size is len(range(start, stop, step)), "
        "the stride is multiplied by step and the offset moves start strides.",
    ),
    Exercise(
        "1.11", "shape of a reduction (keepdim)", "course_lib/shape.py", "reduced_shape", "Reductions",
        "Keep the size of every dimension that is not reduced; for a reduced one keep a 1 only if keepdim.",
    ),
    Exercise(
        "1.12", "reduction loop", "course_lib/backends/python_backend.py", "reduce_loop", "Reductions",
        "For every element of x, its output element has the same index with 0 in each reduced dimension; "
        "fold the value in: out[o] = fn(out[o], value).",
    ),
    Exercise(
        "1.13", "matrix multiplication loop", "course_lib/backends/python_backend.py", "matmul_loop",
        "Matrix multiplication",
        "For each output index (batch..., i, j) sum a[..., i, k] * b[..., k, j] over k; broadcast_index maps "
        "the batch part of the index to a's and b's batch dimensions.",
    ),
    Exercise(
        "2.1", "topological order of the graph", "course_lib/autograd/engine.py", "topological_order",
        "Topological order",
        "Depth-first search from the roots through next_functions; append a node after all its inputs are done, "
        "then reverse the list. Use an explicit stack: deep graphs overflow Python's recursion limit.",
    ),
    Exercise(
        "2.2", "accumulate a gradient into a leaf", "course_lib/autograd/engine.py", "accumulate_grad",
        "Accumulating gradients",
        "If leaf.grad is None store a detached copy of grad (a clone: never alias another tensor); otherwise add "
        "it in place with add_. With create_graph, keep both differentiable (no detach, out-of-place +).",
    ),
    Exercise(
        "2.3", "un-broadcast a gradient (sum_to_shape)", "course_lib/autograd/engine.py", "sum_to_shape",
        "Un-broadcasting",
        "Sum away the leading dimensions grad has in excess, then sum (keepdim=True) every dimension where shape "
        "has size 1 but grad does not.",
    ),
    Exercise(
        "2.4", "backward of multiplication", "course_lib/autograd/rules/elementwise.py", "MulBackward0.backward",
        "Backward of elementwise operations",
        "d(a*b)/da = b and d(a*b)/db = a: saved_operands(ctx) gives a and b back (each a tensor or a number); "
        "return grad * b and grad * a. The engine sums each to its input's shape (your sum_to_shape).",
    ),
    Exercise(
        "2.5", "backward of division", "course_lib/autograd/rules/elementwise.py", "DivBackward0.backward",
        "Backward of elementwise operations",
        "d(a/b)/da = 1/b and d(a/b)/db = -a/b**2: take a and b from saved_operands(ctx), as in exercise 2.4.",
    ),
    Exercise(
        "2.6", "backward of a power with a number exponent", "course_lib/autograd/rules/elementwise.py",
        "PowBackward0.backward", "Backward of elementwise operations",
        "d(a**p)/da = p * a**(p-1); the exponent is a number, so its gradient slot is None.",
    ),
    Exercise(
        "2.7", "backward of exp", "course_lib/autograd/rules/unary.py", "ExpBackward0.backward",
        "Backward of elementwise operations",
        "The derivative of exp is exp itself, and forward saved its result: reuse it instead of recomputing.",
    ),
    Exercise(
        "2.8", "backward of log", "course_lib/autograd/rules/unary.py", "LogBackward0.backward",
        "Backward of elementwise operations",
        "d(log a)/da = 1/a: divide grad by the saved input.",
    ),
    Exercise(
        "2.9", "backward of a matrix product", "course_lib/autograd/rules/linalg.py", "MmBackward0.backward",
        "Backward of matmul",
        "Match the shapes: grad is (n, m), a is (n, k), b is (k, m). grad_a = grad @ b^T is (n, k); "
        "grad_b = a^T @ grad is (k, m).",
    ),
    Exercise(
        "2.10", "expand a reduction's gradient back", "course_lib/autograd/rules/reduce.py", "expand_reduced",
        "Backward of reductions",
        "Without keepdim, unsqueeze each reduced dimension (in increasing order) to put it back as size 1; then "
        "expand to the input's shape (a view, no copy).",
    ),
    Exercise(
        "2.11", "backward of view", "course_lib/autograd/rules/views.py", "ViewBackward0.backward",
        "Gradients through views",
        "A view only relabels the same elements: reshape the gradient to the input's shape (ctx.shape).",
    ),
    Exercise(
        "2.12", "a Jacobian from vector-Jacobian products", "course_lib/autograd/functional.py", "jacobian",
        "Vector-Jacobian products",
        "For each output element i, backpropagate the unit vector e_i with autograd.grad(y, x, v, retain_graph=True): "
        "the result is row i of the Jacobian (pass create_graph on to grad). Stack the rows and reshape to y.shape + "
        "x.shape.",
    ),
    Exercise(
        "3.1", "register parameters and submodules", "course_lib/nn/modules/module.py", "Module.__setattr__",
        "Modules and parameters",
        "A Parameter goes into self._parameters (register_parameter), a Module into self._modules, anything else "
        "is a plain attribute (object.__setattr__). Assigning None to a registered name keeps the slot; another "
        "type raises TypeError, as torch does.",
    ),
    Exercise(
        "3.2", "Linear.forward", "course_lib/nn/modules/linear.py", "Linear.forward", "Modules and parameters",
        "y = x @ W^T + b over the last dimension of x: F.linear(input, self.weight, self.bias) does it in one "
        "node (self.bias may be None).",
    ),
    Exercise(
        "3.3", "a stable logsumexp", "course_lib/ops/reduce.py", "logsumexp", "Log-softmax and cross-entropy",
        "Take the maximum m over dims (keepdim=True), replace an infinite m by 0, then m + log(sum(exp(x - m))). "
        "Without keepdim, squeeze the reduced dims away.",
    ),
    Exercise(
        "3.4", "cross-entropy from log_softmax and nll_loss", "course_lib/nn/functional/loss.py", "cross_entropy",
        "Log-softmax and cross-entropy",
        "log_p = log_softmax over the class dimension (1, or 0 for a single sample), then loss = nll_loss(log_p, "
        "target, weight, ignore_index=..., reduction=...).",
    ),
    Exercise(
        "3.5", "a convolution's windows as columns (im2col)", "course_lib/nn/functional/conv.py", "window_columns",
        "Convolution as windows and a matrix product",
        "Pad x (N, H, W, C) with constant_pad_nd(x, (0, 0) + pads), take the windows with unfold on dims 1 and 2, "
        "then permute to (N, oh, ow, kh, kw, C) and reshape to (N*oh*ow, kh*kw*C): that reshape is the one copy.",
    ),
    Exercise(
        "3.6", "max-pool forward: each tile's first maximum", "course_lib/nn/functional/pooling.py", "tile_maxima",
        "Max pooling",
        "sliding_windows(x, kernel, kernel, (1, 1)) is (N, C, oh, ow, kh, kw); reshape to (..., kh*kw), argmax(-1) "
        "is the first maximum's position, gather picks its value.",
    ),
    Exercise(
        "3.7", "max-pool backward: the gradient to the first maximum", "course_lib/nn/functional/pooling.py",
        "MaxPool2DWithIndicesBackward0.backward", "Max pooling",
        "A one-hot of where (compare it with arange(kh*kw)) times grad puts each window's gradient at its maximum; "
        "lay the (oh, kh, ow, kw) blocks back out as the plane and pad the rows and columns no window covered.",
    ),
    Exercise(
        "3.8", "SGD with momentum", "course_lib/optim/sgd.py", "SGD._update", "Optimizers: momentum and Adam",
        "The first step stores buf = a detached clone of grad in self.state[param]['momentum_buffer']; later steps "
        "buf = momentum * buf + (1 - dampening) * grad, in place. The step direction is buf, or grad + momentum * buf "
        "with nesterov.",
    ),
    Exercise(
        "3.9", "Adam", "course_lib/optim/adam.py", "Adam._update", "Optimizers: momentum and Adam",
        "m = lerp(m, g, 1 - beta1); v = beta2 * v + (1 - beta2) * g * g; with t = state['step'], "
        "p -= lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps); amsgrad divides by the largest v so far.",
    ),
    Exercise(
        "3.10", "shuffling: RandomSampler", "course_lib/utils/data/sampler.py", "RandomSampler.__iter__",
        "Batches and shuffling",
        "Without replacement: whole randperm(size) shuffles until num_samples indices are out; with replacement: "
        "num_samples draws of randint(size). Pass the generator from _generator_or_fresh to both.",
    ),
    Exercise(
        "3.11", "batching: BatchSampler", "course_lib/utils/data/sampler.py", "BatchSampler.__iter__",
        "Batches and shuffling",
        "Collect the sampler's indices in a list; yield it when it holds batch_size of them and start a new one; "
        "at the end yield the short rest unless drop_last.",
    ),
    Exercise(
        "3.12", "state_dict", "course_lib/nn/modules/module.py", "Module.state_dict", "Saving and loading",
        "Put each parameter and each persistent buffer (not None) under prefix + name, detached unless keep_vars, "
        "then let each submodule add its own with prefix + name + '.'.",
    ),
    Exercise(
        "4.1", "read an IDX file", "course_lib/datasets/idx.py", "read_idx", "Reading the IDX files",
        "Bytes 0-1 are zero, byte 2 the type code (_IDX_TYPES), byte 3 the number of dimensions; then one big-endian "
        "uint32 size per dimension, then the data, big-endian. Raise ValueError for a bad magic number or a file "
        "whose length does not match its header; return a native-byte-order copy.",
    ),
    Exercise(
        "4.2", "normalise an image", "course_lib/datasets/transforms.py", "Normalize.__call__",
        "Normalising the pixels",
        "Make mean and std tensors of shape (C, 1, 1) in the image's dtype, so that they broadcast over (C, H, W); "
        "return (image - mean) / std.",
    ),
    Exercise(
        "4.3", "the train step", "examples/mnist.py", "train_step", "The train step",
        "Four lines, in this order: optimizer.zero_grad(); the loss is torch.nn.functional.cross_entropy of "
        "model(images) and labels; loss.backward(); optimizer.step(). Return loss.item().",
    ),
    Exercise(
        "4.4", "the evaluation loop", "examples/mnist.py", "evaluate", "Evaluating",
        "model.eval(), then loop over the loader inside torch.no_grad(): add up cross_entropy with "
        "reduction='sum' (.item()), count_correct and len(labels); divide both sums by the number of images.",
    ),
    Exercise(
        "4.5", "count the correct predictions", "examples/mnist.py", "count_correct", "Evaluating",
        "The prediction is logits.argmax(dim=1); compare it with labels, sum the matches, return int(....item()).",
    ),
    Exercise(
        "4.6", "save a checkpoint", "examples/mnist.py", "save_checkpoint", "Checkpoint, \"crash\", resume",
        "Build a dict with the seven keys the docstring names (state_dict() of model, optimizer and scheduler; "
        "torch.get_rng_state(); shuffle.get_state(); epoch; best) and write it with save_atomically.",
    ),
    Exercise(
        "4.7", "resume from a checkpoint", "examples/mnist.py", "resume", "Checkpoint, \"crash\", resume",
        "torch.load(path, map_location=map_location, weights_only=True), then load_state_dict into model, optimizer "
        "and scheduler, torch.set_rng_state and shuffle.set_state; return (epoch, best).",
    ),
    Exercise(
        "5.1", "vector add: the contiguous fast path", "course_lib/backends/triton/elementwise.py",
        "contiguous_binary_kernel", "Vector add: your first kernel",
        "i = tl.program_id(0) (as int64) * BLOCK + tl.arange(0, BLOCK); mask = i < n; load a and b at their offset "
        "+ i with mask=mask; store binary(a, b, FN), converted to out_ptr.dtype.element_ty, at out_offset + i with "
        "the same mask.",
    ),
    Exercise(
        "5.2", "elementwise zip on strided and broadcast operands", "course_lib/backends/triton/elementwise.py",
        "binary_kernel", "Strided and broadcast operands",
        "As in 5.1, but each operand's addresses are its pointer + storage_position(linear, layout_ptr, k, NDIM), "
        "with k = 0 for a, 1 for b, 2 for out; mask both loads and the store.",
    ),
    Exercise(
        "5.3", "a fused softmax", "course_lib/backends/triton/reduction.py", "softmax_kernel", "A fused softmax",
        "Pass 1, chunk by chunk (load with other=-inf): new_max = max(running_max, the chunk's max); total = total * "
        "exp(running_max - new_max) + sum(exp(x - new_max)), keeping rows that are all -inf so far at 0. Pass 2: "
        "store exp(x - max) / total, or x - max - log(total) if LOG.",
    ),
    Exercise(
        "5.4", "a reduction along dimensions", "course_lib/backends/triton/reduction.py", "reduce_kernel",
        "Reductions along a dimension",
        "row0 = program_id * BLOCK_R; start accumulator at tl.full((BLOCK_R,), IDENTITY, ACC) and has_nan at zeros; "
        "for each chunk of BLOCK_C columns load the tile (mask, other=IDENTITY) and fold it in with _combine; store "
        "_finish(...) at out_ptr + row for the rows that exist.",
    ),
    Exercise(
        "5.5", "a tiled matrix product in grouped order", "course_lib/backends/triton/matmul.py", "matmul_kernel",
        "Matrix multiplication in tiles",
        "Turn program_id(0) into (tile_row, tile_column): groups of GROUP tile rows, down each column of a group "
        "first. Walk k in steps of BLOCK_K: load masked tiles of a and b (other=0), accumulator = tl.dot(a_tile, "
        "b_tile, accumulator, input_precision=PRECISION) (a broadcast sum when not USE_DOT); store masked.",
    ),
    Exercise(
        "6.1", "the worker loop", "course_lib/utils/data/worker.py", "serve_batches", "Workers: the loop each one runs",
        "Loop: task = index_queue.get(); return on None; else number, indices = task; try batch = fetch(indices), "
        "except Exception: batch = ExceptionWrapper(f\"in DataLoader worker process {worker_id}\"); then "
        "result_queue.put((number, batch)).",
    ),
    Exercise(
        "6.2", "batches back in sampler order", "course_lib/utils/data/worker_pool.py", "ReorderBuffer.add",
        "Batches back in order",
        "Store value in self.waiting under number; then, while self.next_number is in self.waiting, pop it into the "
        "list to return and add 1 to self.next_number.",
    ),
    Exercise(
        "6.3", "each worker's seeds", "course_lib/utils/data/worker.py", "worker_seeds", "Seeds for every worker",
        "course_lib's seed is base_seed + worker_id; NumPy's is np.random.SeedSequence([worker_id, base_seed & "
        "0xFFFFFFFF, base_seed >> 32, 0]).generate_state(4) as a list of ints.",
    ),
    Exercise(
        "6.4", "gradient accumulation", "course_lib/nn/utils/accumulate.py", "accumulate_gradients",
        "Gradient accumulation",
        "For each pair of inputs.chunk(micro_batches) and targets.chunk(micro_batches): loss = loss_fn(model(x), y) "
        "* len(x) / len(inputs); loss.backward(); add loss.item() to the total you return.",
    ),
    Exercise(
        "6.5", "ring all-reduce", "course_lib/distributed/ring.py", "ring_all_reduce", "Ring all-reduce",
        "Reduce-scatter: for step in range(world_size - 1), exchange chunk(rank - step) for a zeros_like of "
        "chunk(rank - step - 1) and add it in. All-gather: for each step, exchange chunk(rank - step + 1) for a "
        "copy of chunk(rank - step) and copy_ it in.",
    ),
    Exercise(
        "6.6", "average the gradients over the ranks", "course_lib/nn/parallel/distributed.py", "average_gradients",
        "Data parallelism: DistributedDataParallel",
        "flat = cat of every p.grad.reshape(-1); all_reduce(flat, op=ReduceOp.AVG, group=group); then copy each "
        "parameter's slice of flat back into its .grad (view it to the gradient's shape).",
    ),
    Exercise(
        "6.7", "the GPipe schedule", "course_lib/distributed/pipelining/schedules.py",
        "ScheduleGPipe._step_microbatches", "Pipeline parallelism: GPipe",
        "outputs = [stage.forward_one_chunk(i, *arg_chunks[i]) for each micro-batch i]; then, for each i, "
        "stage.backward_one_chunk(i, loss=self._loss(i, outputs[i])); return outputs.",
    ),
    Exercise(
        "6.8", "the column-parallel Linear", "course_lib/distributed/tensor/parallel/layers.py",
        "ColumnParallelLinear.forward", "Tensor parallelism: Megatron's pair of layers",
        "output = linear(copy_to_parallel_region(input, self.process_group), self.weight, self.bias); if "
        "self.gather_output, output = gather_from_parallel_region(output, self.process_group); return output.",
    ),
]


def exercise_by_id() -> Dict[str, Exercise]:
    """The registry as a dict keyed by exercise id."""
    return {exercise.id: exercise for exercise in EXERCISES}


def get_exercise(exercise_id: str) -> Exercise:
    """Look up one exercise; ``KeyError`` lists the known ids when ``exercise_id`` is unknown."""
    table = exercise_by_id()
    if exercise_id not in table:
        known = ", ".join(e.id for e in sorted(EXERCISES, key=lambda e: e.sort_key))
        raise KeyError(f"unknown exercise {exercise_id!r}; known exercises: {known}")
    return table[exercise_id]


def exercises_in_chapter(chapter: int) -> List[Exercise]:
    """The exercises of one chapter, in id order (``KeyError`` if it has none)."""
    found = sorted((e for e in EXERCISES if e.chapter == chapter), key=lambda e: e.sort_key)
    if not found:
        chapters = sorted({e.chapter for e in EXERCISES})
        raise KeyError(f"chapter {chapter} has no exercises; chapters with exercises: {chapters}")
    return found
