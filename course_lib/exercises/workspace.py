"""The learner's workspace: create, update and reset it without ever losing their work.

``workspace/`` holds a learner edition of ``course_lib/`` and ``notebooks/``. A manifest
(``workspace/.course/manifest.json``) remembers the SHA-256 of every file as the course
last wrote it, so an update can tell "untouched since we wrote it" (safe to replace) from
"changed by the learner" (never overwritten). Every reset backs the file up first under
``~/.cache/dl-course/backups/<workspace>/<time>/`` (``backups.py``: outside the repository, so
``git clean -x`` cannot delete them with the workspace).

Course moves never cost a learner their work: an exercise whose place changed (see
``renames.FORMER_PLACES``) is carried from its old file into its new one, and files the
course no longer ships are moved to the backups, not deleted.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from .._atomic import atomic_write_bytes, atomic_write_text
from .backups import backup, backup_root, list_backups, new_backup_dir
from .edition import build_learner_edition, dump_notebook, learner_file
from .markers import MarkerError, find_regions, region_text, replace_regions
from .registry import Exercise, get_exercise
from .renames import FORMER_PLACES

MANIFEST = ".course/manifest.json"
SKELETONS = ".course/skeletons.json"  # hashes of the course files with exercise bodies left out
SOURCE = ".course/source"  # the course repository this workspace was made from (checks judge against it)


class WorkspaceError(RuntimeError):
    """The workspace is missing or a file in it is not what the command expects."""


@dataclass
class UpdateReport:
    """What :func:`update_workspace` did, file by file (relative paths)."""

    created: List[str] = field(default_factory=list)
    updated: List[str] = field(default_factory=list)
    merged: List[str] = field(default_factory=list)
    skipped: List[str] = field(default_factory=list)
    unchanged: List[str] = field(default_factory=list)
    carried: List[str] = field(default_factory=list)
    retired: List[str] = field(default_factory=list)
    backup_dir: Optional[Path] = None

    def summary(self) -> str:
        lines = [f"{len(self.created)} created, {len(self.updated)} updated, {len(self.merged)} merged "
                 f"(your exercise code kept), {len(self.unchanged)} unchanged, {len(self.skipped)} skipped"]
        lines += [f"  merged : {rel}" for rel in self.merged]
        lines += [f"  skipped: {rel} (you changed it; the course's new version was not applied)" for rel in self.skipped]
        lines += [f"  exercise {line}" for line in self.carried]
        lines += [f"  retired: {rel} (no longer part of the course; a copy is in {self.backup_dir})" for rel in self.retired]
        return "\n".join(lines)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(workspace: Path) -> Dict[str, str]:
    """File (relative path) -> SHA-256 of the content the course last wrote there."""
    return _read_json(workspace / MANIFEST)


def _read_json(path: Path) -> Dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _write_manifest(workspace: Path, manifest: Dict[str, str], skeletons: Dict[str, str]) -> None:
    """Write the two hash tables, each only if it changed (an update with nothing new writes nothing)."""
    for relative, table in ((MANIFEST, manifest), (SKELETONS, skeletons)):
        text = json.dumps(table, indent=1, sort_keys=True) + "\n"
        path = workspace / relative
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic_write_text(path, text)


def skeleton(text: str, where: str = "<text>") -> str:
    """``text`` with every exercise region reduced to its two markers (``# BEGIN EXERCISE <id>``,
    ``# END EXERCISE``): what stays the same whatever the learner, or a new hint, puts inside."""
    lines = text.splitlines()
    for region in reversed(find_regions(text, where)):
        lines[region.begin:region.end + 1] = [f"{region.indent}# BEGIN EXERCISE {region.exercise_id}",
                                              f"{region.indent}# END EXERCISE"]
    return "\n".join(lines)


def _remember(manifest: Dict[str, str], skeletons: Dict[str, str], relative: str, content: bytes) -> None:
    """Record ``content`` as what the course wrote at ``relative``."""
    manifest[relative] = sha256(content)
    if relative.endswith(".py"):
        skeletons[relative] = sha256(skeleton(content.decode("utf-8"), relative).encode("utf-8"))


def update_workspace(source_root: Path, workspace: Path) -> UpdateReport:
    """Create ``workspace`` if missing, else bring in new course material safely.

    For each file of the learner edition:
      - missing in the workspace: written;
      - unchanged since the course wrote it: replaced by the new version;
      - changed by the learner only inside exercise regions (a ``.py`` file): the new
        version is written with the learner's exercise code put back in (after a backup);
      - otherwise changed by the learner: left alone and reported as skipped.
    Then exercises that moved are carried from their former places into their new ones, and
    files the course wrote before but no longer ships are moved into the backup folder.
    """
    report = UpdateReport()
    manifest = read_manifest(workspace)
    skeletons = _read_json(workspace / SKELETONS)
    edition = build_learner_edition(source_root)
    moved = _work_at_former_places(workspace)  # read before anything is written
    for relative, new in edition.items():
        target = workspace / relative
        if not target.exists():
            atomic_write_bytes(target, new)
            _remember(manifest, skeletons, relative, new)
            report.created.append(relative)
            continue
        current = target.read_bytes()
        if current == new:
            _remember(manifest, skeletons, relative, new)
            report.unchanged.append(relative)
        elif manifest.get(relative) == sha256(current):
            atomic_write_bytes(target, new)
            _remember(manifest, skeletons, relative, new)
            report.updated.append(relative)
        else:
            merged = _merge_learner_regions(relative, current, new, manifest.get(relative), skeletons.get(relative))
            if merged is None:
                report.skipped.append(relative)
                continue
            if merged == current:  # the course did not change this file: nothing to write, nothing to back up
                report.unchanged.append(relative)
                continue
            backup(workspace, relative, _backup_dir(workspace, report))
            atomic_write_bytes(target, merged)
            _remember(manifest, skeletons, relative, new)  # the course's version: later updates still see the change
            report.merged.append(relative)
    stranded = _carry_moved_exercises(workspace, moved, report)
    _retire_old_files(workspace, manifest, set(edition), report, keep=stranded)
    for relative in set(skeletons) - set(manifest):
        del skeletons[relative]
    _write_manifest(workspace, manifest, skeletons)
    source = str(Path(source_root).resolve()) + "\n"
    if not (workspace / SOURCE).is_file() or (workspace / SOURCE).read_text(encoding="utf-8") != source:
        atomic_write_text(workspace / SOURCE, source)
    return report


def _backup_dir(workspace: Path, report: UpdateReport) -> Path:
    """This update's backup folder, made on first use."""
    if report.backup_dir is None:
        report.backup_dir = new_backup_dir(workspace, "update")
    return report.backup_dir


MovedWork = Dict[str, Tuple[str, List[str]]]  # exercise id -> (former file, the learner's region lines)


def _work_at_former_places(workspace: Path) -> MovedWork:
    """The learner's started exercises that still sit in a file the exercise has left."""
    found: MovedWork = {}
    for exercise_id, places in FORMER_PLACES.items():
        exercise = get_exercise(exercise_id)
        for place in places:
            path = workspace / place.file
            if place.file == exercise.file or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8")
            try:
                region = region_text(text, exercise_id)
            except (KeyError, MarkerError):
                continue
            if not _is_stub(region.splitlines(), exercise_id):
                found[exercise_id] = (place.file, region.splitlines())
    return found


def _is_stub(region: List[str], exercise_id: str) -> bool:
    """True for a region that holds only comments and the stub's ``raise`` (of any course version)."""
    stub_raise = re.compile(r'\s*raise NotImplementedError\("Exercise ' + re.escape(exercise_id) + r' ')
    body = [line for line in region[1:-1] if line.strip() and not line.strip().startswith("#")]
    return len(body) == 1 and bool(stub_raise.match(body[0]))


def _carry_moved_exercises(workspace: Path, moved: MovedWork, report: UpdateReport) -> set:
    """Put each moved exercise's learner code into the stub at its new place.

    Nothing is overwritten: where the new place cannot take it (the learner already started
    the exercise there, or changed that file outside the exercises so it was not updated), the
    code stays where it is and the report says where.

    Returns:
        The former files holding code that was not carried (they must not be retired).
    """
    stranded = set()
    for exercise_id, (former_file, lines) in sorted(moved.items()):
        exercise = get_exercise(exercise_id)
        target = workspace / exercise.file
        # Where the learner's code is if it is not carried: a former file the course still ships was
        # merged (its old version is in the backups) or skipped (untouched); any other stays in place.
        kept = f"{report.backup_dir}/{former_file}" if former_file in report.merged else former_file
        try:
            text = target.read_text(encoding="utf-8")
            current = region_text(text, exercise_id).splitlines()
        except (OSError, KeyError, MarkerError):
            stranded.add(former_file)
            report.carried.append(f"{exercise_id}: NOT moved to {exercise.file} (that file was not updated: see "
                                  f"'skipped'); your code is still in {kept}")
            continue
        if not _is_stub(current, exercise_id):
            stranded.add(former_file)
            report.carried.append(f"{exercise_id}: you already started it in {exercise.file}; your earlier "
                                  f"version is still in {kept}")
            continue
        new_indent = current[0][: len(current[0]) - len(current[0].lstrip())]
        old_indent = lines[0][: len(lines[0]) - len(lines[0].lstrip())]
        moved_lines = [new_indent + line[len(old_indent):] if line.startswith(old_indent) else line for line in lines]
        atomic_write_text(target, replace_regions(text, {exercise_id: moved_lines}, exercise.file))
        report.carried.append(f"{exercise_id}: your code moved from {former_file} to {exercise.place}")
    return stranded


def _retire_old_files(workspace: Path, manifest: Dict[str, str], shipped: set, report: UpdateReport,
                      keep: set) -> None:
    """Move files the course wrote earlier but no longer ships into the backup folder (except ``keep``:
    files still holding exercise code that could not be carried; the next update tries again)."""
    for relative in sorted(set(manifest) - shipped - keep):
        path = workspace / relative
        if path.is_file():
            backup(workspace, relative, _backup_dir(workspace, report))
            path.unlink()
            report.retired.append(relative)
        del manifest[relative]


def _merge_learner_regions(relative: str, current: bytes, new: bytes, pristine_sha: str | None,
                           skeleton_sha: str | None) -> bytes | None:
    """New course file with the learner's exercise code put back, or None if that is not safe.

    Safe means the learner edited nothing but exercise bodies: outside the regions, the file
    is the one the course wrote last time (its skeleton hash, or for an older workspace the
    hash of the file with every region stubbed again, is in the manifest), and every exercise
    they have is still in the new version or has moved to another file (``renames.py``: it is
    carried there separately).
    """
    if not relative.endswith(".py") or pristine_sha is None:
        return None
    try:
        current_text, new_text = current.decode("utf-8"), new.decode("utf-8")
        if skeleton_sha is not None:
            untouched = sha256(skeleton(current_text, relative).encode("utf-8")) == skeleton_sha
        else:
            # an older workspace: its manifest has the hash of the file with every region stubbed, by a
            # course whose stub comments were one line each or, since, wrapped
            untouched = any(sha256(learner_file(relative, current, wrapped=w)) == pristine_sha for w in (True, False))
        if not untouched:
            return None
        learner_regions = [r for r in find_regions(current_text, relative) if _lives_in(r.exercise_id, relative)]
        new_ids = {r.exercise_id for r in find_regions(new_text, relative)}
    except (ValueError, KeyError):
        return None
    if not {r.exercise_id for r in learner_regions} <= new_ids:
        return None
    lines = current_text.splitlines()
    replacements = {r.exercise_id: lines[r.begin:r.end + 1] for r in learner_regions}
    # An untouched stub takes the course's new one (a new hint reaches the learner).
    replacements = {i: region for i, region in replacements.items() if not _is_stub(region, i)}
    return replace_regions(new_text, replacements, relative).encode("utf-8")


def _lives_in(exercise_id: str, relative: str) -> bool:
    """False for an exercise that has moved out of file ``relative`` (an unknown id stays)."""
    try:
        return get_exercise(exercise_id).file == relative
    except KeyError:
        return True


def require_workspace(workspace: Path) -> None:
    """Raise :class:`WorkspaceError` with the fix when ``workspace`` was never created."""
    if not (workspace / "course_lib").is_dir():
        raise WorkspaceError(f"no workspace at {workspace}: create it with `make workspace` "
                             "(or `python -m course_lib.exercises update`)")


def exercise_text(root: Path, exercise: Exercise) -> str:
    """The region of ``exercise`` as it stands in the edition at ``root``."""
    path = root / exercise.file
    if not path.exists():
        raise WorkspaceError(f"{path} is missing; run `make workspace` to restore course files")
    for text in _texts(path):
        try:
            return region_text(text, exercise.id, exercise.file)
        except KeyError:
            continue
        except MarkerError as error:
            raise WorkspaceError(f"the exercise markers are broken: {error}; put them back as "
                                 f"'# BEGIN EXERCISE <id>' ... '# END EXERCISE' (or `course restore`)") from None
    raise WorkspaceError(f"the markers of exercise {exercise.id} are gone from {path}; "
                         f"restore them ('# BEGIN EXERCISE {exercise.id}' ... '# END EXERCISE') or delete the "
                         "file and run `make workspace`")


def is_started(workspace: Path, exercise: Exercise) -> bool:
    """False while the learner's region is still an untouched stub (of this or an older course: only its
    comments may differ)."""
    return not _is_stub(exercise_text(workspace, exercise).splitlines(), exercise.id)


def reset_exercises(workspace: Path, exercises: List[Exercise]) -> Path:
    """Put the stub back for each exercise, after backing up every file touched.

    Returns:
        The backup folder (``backups.backup_root(workspace)/<time>``).
    """
    require_workspace(workspace)
    by_file: Dict[str, List[Exercise]] = {}
    for exercise in exercises:
        exercise_text(workspace, exercise)  # fails early, before anything is written
        by_file.setdefault(exercise.file, []).append(exercise)
    backup_dir = new_backup_dir(workspace, "reset " + " ".join(e.id for e in exercises))
    for relative, group in by_file.items():
        backup(workspace, relative, backup_dir)
        path = workspace / relative
        ids = {e.id for e in group}
        content = path.read_bytes()
        if relative.endswith(".ipynb"):
            notebook = json.loads(content)
            for cell in notebook["cells"]:
                source = "".join(cell["source"])
                if cell["cell_type"] == "code" and any(r.exercise_id in ids for r in find_regions(source)):
                    cell["source"] = learner_file("x.py", source.encode(), ids).decode().splitlines(keepends=True)
                    cell["outputs"], cell["execution_count"] = [], None
            atomic_write_bytes(path, dump_notebook(notebook))
        else:
            atomic_write_bytes(path, learner_file(relative, content, ids))
    return backup_dir


def _texts(path: Path) -> List[str]:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return [path.read_text(encoding="utf-8")]


def restore_exercise(workspace: Path, exercise: Exercise) -> Tuple[str, Path]:
    """Put back the learner's newest backed-up code of ``exercise`` (a region that is not the stub and differs
    from the current one), leaving every other exercise of its file as it is now.

    Returns:
        ``(the backup it came from, the backup of the file as it was before)``.

    Raises:
        WorkspaceError: no backup holds such a version (the message says which exist), or the exercise
            lives in a notebook (restore the whole notebook from a backup instead).
    """
    require_workspace(workspace)
    if not exercise.file.endswith(".py"):
        raise WorkspaceError(f"exercise {exercise.id} is in a notebook: restore the notebook from a backup "
                             f"(`course restore` lists them)")
    current_text = (workspace / exercise.file).read_text(encoding="utf-8")
    current = exercise_text(workspace, exercise).splitlines()
    for held in reversed(list_backups(workspace)):
        if exercise.file not in held.files:
            continue
        try:
            saved = region_text((backup_root(workspace) / held.name / exercise.file).read_text(encoding="utf-8"),
                                exercise.id, exercise.file).splitlines()
        except (OSError, KeyError, MarkerError):
            continue
        if _is_stub(saved, exercise.id) or _same_code(saved, current):
            continue
        safety = new_backup_dir(workspace, f"restore {exercise.id}")
        backup(workspace, exercise.file, safety)
        atomic_write_text(workspace / exercise.file, replace_regions(current_text, {exercise.id: saved}, exercise.file))
        return held.name, safety
    raise WorkspaceError(f"no backup holds a version of exercise {exercise.id} other than the stub or your "
                         f"current code (`course restore` lists the backups)")


def _same_code(a: List[str], b: List[str]) -> bool:
    return [line.rstrip() for line in a] == [line.rstrip() for line in b]


def exercise_changes(workspace: Path, relative: str, new_text: str) -> List[str]:
    """What writing ``new_text`` over the workspace file ``relative`` does to each of its exercises, e.g.
    ``["1.3: your code from the backup", "1.5: back to the stub"]`` (unchanged exercises left out)."""
    path = workspace / relative
    if not relative.endswith(".py") or not path.is_file():
        return []
    try:
        before = {r.exercise_id: r for r in find_regions(path.read_text(encoding="utf-8"), relative)}
        after = {r.exercise_id: r for r in find_regions(new_text, relative)}
    except MarkerError:
        return []
    old_lines, new_lines = path.read_text(encoding="utf-8").splitlines(), new_text.splitlines()
    changes = []
    for exercise_id, region in after.items():
        new_region = new_lines[region.begin:region.end + 1]
        old = before.get(exercise_id)
        if old is not None and _same_code(old_lines[old.begin:old.end + 1], new_region):
            continue
        changes.append(f"{exercise_id}: " + ("back to the stub" if _is_stub(new_region, exercise_id)
                                             else "your code from the backup"))
    return sorted(changes, key=lambda change: tuple(int(p) for p in change.split(":")[0].split(".")))
