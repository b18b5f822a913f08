# The commands README.md documents. Everything runs inside one virtual environment.
#   make lab    set everything up (venv, MNIST, workspace) and open JupyterLab
#   make test   the whole test suite: pytest + nbval on every notebook
SHELL := /bin/bash

PYTHON ?= python3
# Where the virtual environment lives. CI keeps it under ~/.cache so runs can reuse it;
# override with `make VENV=.venv lab` for a venv inside the repository.
VENV ?= $(HOME)/.cache/dl-course/venv
PY := $(VENV)/bin/python
# A copy of the pyproject.toml that was installed: reinstall only when its content changes
# (a fresh clone has new file times, so a timestamp rule would reinstall every time).
INSTALLED := $(VENV)/.course-installed-pyproject.toml
PORT ?= 8888
# JupyterLab's terminals run this shell as a plain (not login) shell, so they inherit the PATH that `make lab`
# sets (the course's venv first, hence the `course` command); a login shell would reset PATH from /etc/profile.
TERMINAL_SHELL := $(notdir $(shell echo $${SHELL:-/bin/bash}))

NBVAL := --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg
# Jupyter refuses to run as root unless told to; add the flag only when we are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help install data workspace lab test test-fast test-portable test-gpu bench-gpu notebooks kernel bench check list clean-venv

help:
	@echo "make lab        install, fetch MNIST, create/update workspace/, open JupyterLab"
	@echo "make test       run the whole test suite (pytest + nbval)"
	@echo "make data       fetch and verify MNIST into data/MNIST/raw"
	@echo "make workspace  create workspace/ or add new course material (never overwrites your changes)"
	@echo "make list       list exercises and their status in workspace/"
	@echo "make check      check your exercises (ID=1.4 for one)"
	@echo "make notebooks  re-execute the reference notebooks and store their outputs (maintainers)"
	@echo "make kernel     register this venv as the Jupyter kernel 'dl-course'"
	@echo "make bench      run the benchmarks against torch and write bench/report*.md"
	@echo "make test-gpu   the cuda tests on a real GPU, with the Python already there (GPU_PYTHON=python3)"
	@echo "make bench-gpu  the cuda kernels against torch on a real GPU (bench/report_gpu.md)"
	@echo "make test-portable  nbval under other CPU kernels, BLAS cores, thread counts, without triton (maintainers)"

# tools/find_python.sh also finds a pyenv version that is installed but not selected (PYTHON=python3.10).
$(PY):
	$$(tools/find_python.sh $(PYTHON)) -m venv $(VENV)

# Only the dependencies are installed: every checkout imports its own course_lib (the
# notebooks' first cell, pytest's pythonpath, `python -m` from the repository root), so one
# environment serves any number of clones.
install: | $(PY)
	@cmp -s pyproject.toml $(INSTALLED) || { \
	  $(PY) -m pip install --upgrade pip && \
	  $(PY) -m pip install $$($(PY) tools/dependencies.py) && \
	  cp pyproject.toml $(INSTALLED); }
	@sed "1s|.*|#!$(abspath $(PY))|" tools/course.py > $(VENV)/bin/course.tmp && chmod +x $(VENV)/bin/course.tmp && \
	  mv $(VENV)/bin/course.tmp $(VENV)/bin/course
	@# The course's JupyterLab settings: no news prompt over the first page.
	@mkdir -p $(VENV)/share/jupyter/lab/settings && cp tools/jupyterlab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json

data: install
	$(PY) -m course_lib.datasets --root data

workspace: install
	$(PY) -m course_lib.exercises update

# Serve the whole workspace (notebooks and course_lib side by side), opening chapter 00. A data problem
# does not stop the lab: chapters 00-03 do not need MNIST, so it is a warning here (chapter 04 needs it).
lab: install workspace
	@$(PY) -m course_lib.datasets --root data || echo "WARNING: MNIST could not be fetched (the message above says why and how to fix it). Chapters 00-03 work without it; fix it and run 'make data' before chapter 04."
	cd workspace && PATH="$(abspath $(VENV))/bin:$$PATH" VIRTUAL_ENV="$(abspath $(VENV))" \
	  $(VENV)/bin/jupyter lab $(ROOT_FLAG) --port=$(PORT) --ServerApp.root_dir=. \
	  --ServerApp.terminado_settings="{'shell_command': ['$(TERMINAL_SHELL)']}" notebooks/00_getting_started.ipynb

# PYTEST_ARGS: extra pytest arguments, e.g. -m "not triton" where torch has no Triton (macOS).
test: install data
	TQDM_DISABLE=1 $(PY) -m pytest tests notebooks $(NBVAL) $(PYTEST_ARGS)

# The stored notebook outputs under other numeric conditions (not in CI: a runner may not reproduce them).
test-portable: install data
	$(PY) tools/test_portable.py $(CONDITIONS)

# On a machine with an NVIDIA GPU: the cuda tests against torch on the GPU, with the Python that is there
# (torch and triton installed; such machines often have no package index, so nothing is installed here).
GPU_PYTHON ?= python3
test-gpu:
	$(GPU_PYTHON) -m pytest tests/cuda -q -p no:cacheprovider $(PYTEST_ARGS)

# The cuda backend's kernels against torch on the same GPU; writes bench/report_gpu.md.
bench-gpu:
	$(GPU_PYTHON) bench/bench_gpu.py

test-fast: install
	$(PY) -m pytest tests -x -q

notebooks: install data
	TQDM_DISABLE=1 $(PY) tools/execute_notebooks.py $(NB)

kernel: install
	$(PY) -m ipykernel install --user --name dl-course --display-name "Python (dl-course)"

list: install
	$(PY) -m course_lib.exercises list

check: install
	$(PY) -m course_lib.exercises check $(if $(ID),$(ID),--all)

bench: install data
	$(PY) bench/run_all.py

clean-venv:
	rm -rf $(VENV)
