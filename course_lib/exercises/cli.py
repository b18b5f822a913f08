"""``python -m course_lib.exercises``: list, check, reset, show solutions, update, export.

Run from the repository root (``make`` targets do), or anywhere with the ``course`` command
(``tools/course.py``). Commands act on the learner's workspace (``workspace/``, or
``--workspace DIR`` / ``$COURSE_WORKSPACE``); ``solution`` and ``export`` read the edition
this tool belongs to. Run inside ``workspace/``, the learner's copy hands over to the
course's own tooling.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

from .._atomic import atomic_write_bytes
from .backups import backup_root, list_backups, restore
from .edition import build_learner_edition
from .registry import EXERCISES, Exercise, exercises_in_chapter, get_exercise
from .runner import run_jobs
from .workspace import (WorkspaceError, exercise_changes, exercise_text, is_started, require_workspace,
                        reset_exercises, restore_exercise, update_workspace)

EXERCISE_ID = re.compile(r"\d+\.\d+")
"""An exercise id (``1.3``); backup names are times (``20261130-121524``)."""

SOURCE_ROOT = Path(__file__).resolve().parents[2]
"""The edition this tool belongs to (the repository root for the reference edition)."""

# Files an exported edition needs besides course_lib/ and notebooks/ (copied as they are).
EXPORT_EXTRAS = ["README.md", "Makefile", "pyproject.toml", "environment.yml", ".gitignore", "ARCHITECTURE.md"]


def default_workspace() -> Path:
    return Path(os.environ.get("COURSE_WORKSPACE", SOURCE_ROOT / "workspace"))


def _select(args: argparse.Namespace, allow_all: bool = False) -> List[Exercise]:
    if getattr(args, "all", False) and allow_all:
        return sorted(EXERCISES, key=lambda e: e.sort_key)
    if args.chapter is not None:
        return exercises_in_chapter(args.chapter)
    if args.id:
        return [get_exercise(args.id)]
    raise WorkspaceError("say which exercise: an ID (e.g. 1.4)" + (", --chapter N or --all" if allow_all
                                                                  else " or --chapter N"))


def cmd_list(args: argparse.Namespace) -> int:
    workspace = args.workspace
    require_workspace(workspace)
    exercises = sorted(EXERCISES, key=lambda e: e.sort_key)
    started, broken = [], {}
    for exercise in exercises:  # one file with broken markers must not hide the others
        try:
            if is_started(workspace, exercise):
                started.append(exercise)
        except WorkspaceError as error:
            broken[exercise.id] = str(error)
    outcome, problem = {}, None
    if not args.no_check:
        results, problems = run_jobs([(workspace, [e.id for e in started])])
        outcome, problem = {r["id"]: r for r in results}, problems.get(str(workspace.resolve()))
    title_width = max(len(e.title) for e in exercises)
    print(f"{'id':<5} {'status':<13} {'title':<{title_width}} place")
    for exercise in exercises:
        if exercise.id in broken:
            status = "⚠ markers"
        elif problem and exercise.file == problem["file"]:
            status = "⚠ file error"  # its file does not import: the notebooks cannot use any of it
        elif exercise not in started:
            status = "not started"
        elif exercise.id not in outcome:
            status = "started"
        else:
            status = "✓ passes" if outcome[exercise.id]["passed"] else "✗ fails"
        print(f"{exercise.id:<5} {status:<13} {exercise.title:<{title_width}} {workspace.name}/{exercise.place}")
    for exercise_id, message in broken.items():
        print(f"⚠ {exercise_id}: {message}")
    if problem:
        print(_problem_text(workspace, problem))
    return 0


def _problem_text(workspace: Path, problem: Dict) -> str:
    """What a learner reads when their course_lib does not import: which file, then where and why."""
    file = f"{workspace.name}/{problem['file']}" if problem["file"] else f"{workspace.name}/course_lib"
    return (f"⚠ {file} does not import, so your notebooks cannot `import course_lib` until it is fixed:\n"
            f"{problem['description']}")


def cmd_check(args: argparse.Namespace) -> int:
    require_workspace(args.workspace)
    exercises = _select(args, allow_all=True)
    results, problems = run_jobs([(args.workspace, [e.id for e in exercises])])
    problem = problems.get(str(args.workspace.resolve()))
    if problem and problem["exercise"] not in {e.id for e in exercises}:  # else that exercise's table shows it
        print(_problem_text(args.workspace, problem), end="\n\n")
    for result in results:
        print(result["table"], end="\n\n")
    passed = sum(r["passed"] for r in results)
    print(f"{passed} of {len(results)} exercises pass")
    return 0 if passed == len(results) else 1


def cmd_reset(args: argparse.Namespace) -> int:
    exercises = _select(args)
    backup = reset_exercises(args.workspace, exercises)
    ids = ", ".join(e.id for e in exercises)
    print(f"Reset exercise(s) {ids}. Your previous version is backed up in {backup}")
    return 0


def cmd_solution(args: argparse.Namespace) -> int:
    exercise = get_exercise(args.id)
    region = exercise_text(SOURCE_ROOT, exercise)
    if "raise NotImplementedError" in region and f"Exercise {exercise.id} (" in region:
        print(f"This edition has no solution for exercise {exercise.id} (it is a learner edition).")
        return 1
    body = region.splitlines()[1:-1]  # the markers stay in your file: paste only what is between them
    print(f"# Reference solution of exercise {exercise.id} ({exercise.place}).")
    print(f"# It replaces the lines between '# BEGIN EXERCISE {exercise.id}' and '# END EXERCISE' in your file")
    print("# (the hint comments and the raise NotImplementedError line); keep the two marker lines.")
    print("\n".join(body))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    if not args.backup:
        found = list_backups(args.workspace)
        if not found:
            print(f"No backups yet (they are made in {backup_root(args.workspace)}).")
        for held in found:
            print(f"{held.name:<18} {held.reason:<24} {', '.join(held.files)}")
        if found:
            print(f"Restore one exercise with: course restore <exercise id> (e.g. 1.3: its newest backed-up code)\n"
                  f"or whole files with:      course restore {found[-1].name} [FILE ...]")
        return 0
    if EXERCISE_ID.fullmatch(args.backup):
        if args.files:
            raise WorkspaceError("`course restore <exercise id>` takes no file names (the exercise names its file)")
        exercise = get_exercise(args.backup)
        source, safety = restore_exercise(args.workspace, exercise)
        print(f"Restored exercise {exercise.id} in {exercise.file} from backup {source}; its other exercises "
              f"are as they were.\nThe file as it was is backed up in {safety}")
        return 0
    folder = backup_root(args.workspace) / args.backup
    chosen = args.files or next((b.files for b in list_backups(args.workspace) if b.name == args.backup), [])
    changes = {relative: exercise_changes(args.workspace, relative, (folder / relative).read_text(encoding="utf-8"))
               for relative in chosen if relative.endswith(".py") and (folder / relative).is_file()}
    try:
        restored, safety = restore(args.workspace, args.backup, args.files)
    except FileNotFoundError as error:
        raise WorkspaceError(str(error)) from None
    print(f"Restored {', '.join(restored)} from backup {args.backup}.")
    for relative, lines in changes.items():
        for line in lines:
            print(f"  exercise {line} ({relative})")
    if safety is not None:
        print(f"The versions they replaced are backed up in {safety}"
              + (" (`course restore <exercise id>` brings one exercise back from there)" if changes else ""))
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    report = update_workspace(SOURCE_ROOT, args.workspace)
    print(f"Workspace {args.workspace}: {report.summary()}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    destination: Path = args.directory
    if destination.exists() and any(destination.iterdir()):
        raise WorkspaceError(f"{destination} is not empty; export writes into a new or empty folder")
    files = build_learner_edition(SOURCE_ROOT)
    for name in EXPORT_EXTRAS:
        if (SOURCE_ROOT / name).exists():
            files[name] = (SOURCE_ROOT / name).read_bytes()
    for relative, content in files.items():
        atomic_write_bytes(destination / relative, content)
    print(f"Exported the learner edition ({len(files)} files, no solutions) to {destination}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    # `course` (tools/course.py) says its own name; `python -m course_lib.exercises` is the default.
    parser = argparse.ArgumentParser(prog=os.environ.get("COURSE_COMMAND", "python -m course_lib.exercises"),
                                     description="The course's exercise commands: list and check your exercises, "
                                                 "reset one, show a solution, restore a backup, update the "
                                                 "workspace, export a learner edition.")
    parser.add_argument("--workspace", type=Path, default=default_workspace(),
                        help="the learner workspace (default: workspace/ or $COURSE_WORKSPACE)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", help="every exercise with its status in the workspace")
    p.add_argument("--no-check", action="store_true", help="do not run checks (faster)")
    p.set_defaults(run=cmd_list)

    for name, helptext, handler, allow_all in [("check", "run checks on the workspace", cmd_check, True),
                                               ("reset", "put the stub back (your version is backed up)", cmd_reset,
                                                False)]:
        p = sub.add_parser(name, help=helptext)
        p.add_argument("id", nargs="?", help="exercise id, e.g. 1.4")
        p.add_argument("--chapter", type=int, help="every exercise of this chapter")
        if allow_all:
            p.add_argument("--all", action="store_true", help="every exercise")
        p.set_defaults(run=handler)

    p = sub.add_parser("solution", help="print the reference solution of an exercise")
    p.add_argument("id")
    p.set_defaults(run=cmd_solution)

    p = sub.add_parser("restore", help="list the backups, or bring back one exercise or files of a backup")
    p.add_argument("backup", nargs="?", help="an exercise id (its newest backed-up code), or a backup's name "
                                             "(as listed); none: list the backups")
    p.add_argument("files", nargs="*", help="files to restore, e.g. course_lib/shape.py (default: all it holds)")
    p.set_defaults(run=cmd_restore)

    p = sub.add_parser("update", help="create the workspace, or add new course material to it safely")
    p.set_defaults(run=cmd_update)

    p = sub.add_parser("export", help="write a learner edition without solutions to a new folder")
    p.add_argument("directory", type=Path)
    p.set_defaults(run=cmd_export)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    source = SOURCE_ROOT / ".course" / "source"
    if source.is_file():
        # This is a learner's copy of the tooling (run from inside workspace/): hand over to the course's own,
        # on this workspace, so that commands never act on a workspace nested inside this one.
        repository = Path(source.read_text(encoding="utf-8").strip())
        command = [sys.executable, "-m", "course_lib.exercises", "--workspace", str(SOURCE_ROOT),
                   *(sys.argv[1:] if argv is None else argv)]
        return subprocess.call(command, cwd=repository, env=dict(os.environ, PYTHONPATH=""))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # no command: what the commands are, not an argparse complaint
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except (WorkspaceError, KeyError, ValueError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `course list | head` closed the pipe: that is not an error to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return 0


if __name__ == "__main__":
    sys.exit(main())
