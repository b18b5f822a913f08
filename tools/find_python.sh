#!/bin/sh
# Print the interpreter that `make PYTHON=<name>` means (python3, python3.10, /usr/bin/python3.12 ...).
# Under pyenv, a version that is installed but not the selected one is found as well: its shim
# refuses to run it ("command not found ... exists in these Python versions").
name=$1
if path=$("$name" -c 'import sys; print(sys.executable)' 2>/dev/null); then
  echo "$path"
  exit 0
fi
if command -v pyenv >/dev/null 2>&1; then
  wanted=${name##*/}
  wanted=${wanted#python}
  for version in $(pyenv versions --bare 2>/dev/null | grep -E "^${wanted}(\.|$)" | sort -t. -k1,1n -k2,2n -k3,3n -r); do
    candidate="$(pyenv root)/versions/$version/bin/$(basename "$name")"
    if [ -x "$candidate" ]; then
      echo "$candidate"
      exit 0
    fi
  done
fi
echo "$name"  # not found: the venv step then says so
