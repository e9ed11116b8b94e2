"""Challenge pack versions on the judge: the installed pack, and versions kept by the judge
itself under the instance folder as ``packs/<content hash>/`` (a rules fix uploaded as a
.zip, or a copy of the installed pack a round was re-scored with), so that a round pinned to
a version still finds it after the installed pack has changed.

``pinned_challenge(round_)`` is the one way to get the rules a round is judged by: the
installed pack when its content hash is the round's, else the version kept here, else a
clear error. ``store_uploaded_pack`` checks an uploaded .zip (no path may leave the pack
folder, size limits, a valid ``challenge.toml``) before keeping it.
"""

from __future__ import annotations

import io
import re
import shutil
import stat
import uuid
import zipfile
from pathlib import Path, PurePosixPath

from flask import current_app

from roboarena.challenges.pack import Challenge, find_pack, load_challenge
from roboarena.errors import RoboarenaError
from roboarena.judge.ingest import Refusal
from roboarena.judge.models import Round
from roboarena.sims.world import WORLDS_DIR

PACK_FOLDER = "packs"                         # under the instance folder
MAX_PACK_ZIP_BYTES = 10 * 1024 * 1024         # a pack is a toml file and a few floor images
MAX_PACK_UNPACKED_BYTES = 50 * 1024 * 1024    # what the .zip may unpack to (a zip bomb stops here)
MAX_PACK_FILES = 500
_HASH = re.compile(r"[0-9a-f]{64}")
# What an archiver adds on its own: not part of the pack, and it would change the hash.
_ARCHIVER_LITTER = ("__MACOSX", ".DS_Store", "Thumbs.db")


class PinnedPackMissing(Refusal):
    """The pack version a round is pinned to is neither installed nor kept by the judge."""


def packs_root() -> Path:
    return Path(current_app.instance_path) / PACK_FOLDER


def is_pack_hash(text: str) -> bool:
    return bool(_HASH.fullmatch(text or ""))


def installed_challenge(challenge_id: str) -> Challenge | None:
    """The installed pack with this id, or None when there is none (or it no longer loads)."""
    if find_pack(challenge_id) is None:
        return None
    try:
        return load_challenge(challenge_id)
    except RoboarenaError:
        return None


def kept_challenge(content_hash: str) -> Challenge | None:
    """The version kept under ``packs/<content_hash>/``, if it is there and still hashes so."""
    if not is_pack_hash(content_hash):
        return None
    folder = packs_root() / content_hash
    if not (folder / "challenge.toml").is_file():
        return None
    try:
        challenge = load_challenge(folder)
    except RoboarenaError:
        return None
    # A built-in world it names may have changed since: then it is no longer this version.
    return challenge if challenge.content_hash == content_hash else None


def challenge_version(challenge_id: str, content_hash: str) -> Challenge | None:
    """Version ``content_hash`` of the challenge ``challenge_id``: installed or kept here."""
    content_hash = (content_hash or "").removeprefix("sha256:")
    installed = installed_challenge(challenge_id)
    if installed is not None and installed.content_hash == content_hash:
        return installed
    kept = kept_challenge(content_hash)
    return kept if kept is not None and kept.id == challenge_id else None


def known_versions(challenge_id: str) -> list[Challenge]:
    """Every version of a challenge the judge can score with: the installed one first, then
    those kept here (newest folder first)."""
    versions: list[Challenge] = []
    installed = installed_challenge(challenge_id)
    if installed is not None:
        versions.append(installed)
    root = packs_root()
    folders = sorted((p for p in root.iterdir() if is_pack_hash(p.name)), key=lambda p: p.stat().st_mtime,
                     reverse=True) if root.is_dir() else []
    for folder in folders:
        kept = kept_challenge(folder.name)
        if kept is not None and kept.id == challenge_id and all(v.content_hash != kept.content_hash for v in versions):
            versions.append(kept)
    return versions


def pinned_challenge(round_: Round) -> Challenge:
    """The rules ``round_`` is judged by: the Challenge whose content hash is ``round_.pack_hash``."""
    challenge = challenge_version(round_.challenge_id, round_.pack_hash)
    if challenge is None:
        raise PinnedPackMissing(409, "judge.pack.pinned_missing", round_id=round_.id, challenge=round_.challenge_id,
                                hash=round_.pack_hash[:12])
    return challenge


def keep_pack(challenge: Challenge) -> Path:
    """Keep a copy of this pack version under ``packs/<hash>/`` (once), so the version stays
    at hand when the installed pack is later edited or upgraded."""
    target = packs_root() / challenge.content_hash
    if (target / "challenge.toml").is_file() or challenge.folder.resolve() == target.resolve():
        return target
    staging = packs_root() / f".copy-{uuid.uuid4().hex}"
    try:
        shutil.copytree(challenge.folder, staging, ignore=shutil.ignore_patterns("__pycache__"))
        copy = load_challenge(staging)
        if copy.content_hash == challenge.content_hash:
            _move_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def store_uploaded_pack(data: bytes, filename: str, challenge_id: str) -> Challenge:
    """Check an uploaded pack .zip, keep it as ``packs/<content hash>/`` and return it.
    Raises ``Refusal`` saying what is wrong with it."""
    name = PurePosixPath((filename or "pack.zip").replace("\\", "/")).name
    if not name.lower().endswith(".zip"):
        raise Refusal(400, "judge.pack.not_zip", name=name)
    if len(data) > MAX_PACK_ZIP_BYTES:
        raise Refusal(413, "judge.pack.too_big", name=name, limit_mb=MAX_PACK_UNPACKED_BYTES // 2**20,
                      files=MAX_PACK_FILES)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = _pack_members(archive, name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise Refusal(400, "judge.pack.bad_zip", name=name, problem=str(exc)) from None
    root = packs_root()
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".upload-{uuid.uuid4().hex}"
    try:
        _extract(archive, members, staging, name)
        challenge = _check_pack(staging, name, challenge_id)
        target = root / challenge.content_hash
        if not (target / "challenge.toml").is_file():
            _move_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    stored = kept_challenge(challenge.content_hash)
    if stored is None:        # cannot happen unless the folder was tampered with meanwhile
        raise Refusal(500, "judge.pack.not_kept", name=name, folder=f"{PACK_FOLDER}/{challenge.content_hash}")
    return stored


def _pack_members(archive: zipfile.ZipFile, name: str) -> dict[str, zipfile.ZipInfo]:
    """The archive's files by their path inside the pack folder, every one checked to stay
    inside it. A pack zipped as its folder (``line-follow/challenge.toml``) loses that folder."""
    files: dict[str, zipfile.ZipInfo] = {}
    declared = 0
    for info in archive.infolist():
        raw = info.filename.replace("\\", "/")
        parts = PurePosixPath(raw).parts
        if raw.startswith("/") or re.match(r"^[A-Za-z]:", raw) or ".." in parts or any(
                ":" in part or any(ord(c) < 32 for c in part) for part in parts):
            raise Refusal(400, "judge.pack.unsafe_path", name=name, path=info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise Refusal(400, "judge.pack.link", name=name, path=info.filename)
        if info.is_dir() or not parts or parts[0] in _ARCHIVER_LITTER or parts[-1] in _ARCHIVER_LITTER:
            continue
        declared += info.file_size
        files["/".join(p for p in parts if p != ".")] = info
        if len(files) > MAX_PACK_FILES or declared > MAX_PACK_UNPACKED_BYTES:
            raise Refusal(413, "judge.pack.too_big", name=name, limit_mb=MAX_PACK_UNPACKED_BYTES // 2**20,
                          files=MAX_PACK_FILES)
    if "challenge.toml" in files:
        return files
    tops = {path.split("/", 1)[0] for path in files}
    if len(tops) == 1 and f"{next(iter(tops))}/challenge.toml" in files:
        prefix = f"{next(iter(tops))}/"
        return {path.removeprefix(prefix): info for path, info in files.items()}
    raise Refusal(400, "judge.pack.no_toml", name=name)


def _extract(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], folder: Path, name: str):
    folder.mkdir(parents=True)
    written = 0
    for relative, info in members.items():
        target = folder.joinpath(*relative.split("/"))
        if not target.resolve().is_relative_to(folder.resolve()):    # the check above, made twice
            raise Refusal(400, "judge.pack.unsafe_path", name=name, path=info.filename)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with archive.open(info) as source, open(target, "wb") as sink:
                # Counted as written, not as the archive declares: a forged size does not pass.
                while chunk := source.read(1 << 16):
                    written += len(chunk)
                    if written > MAX_PACK_UNPACKED_BYTES:
                        raise Refusal(413, "judge.pack.too_big", name=name,
                                      limit_mb=MAX_PACK_UNPACKED_BYTES // 2**20, files=MAX_PACK_FILES)
                    sink.write(chunk)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, ValueError) as exc:
            # RuntimeError: an encrypted member; NotImplementedError: an unknown compression.
            raise Refusal(400, "judge.pack.bad_zip", name=name, problem=str(exc)) from None


def _check_pack(folder: Path, name: str, challenge_id: str) -> Challenge:
    try:
        challenge = load_challenge(folder)
    except RoboarenaError as exc:
        # Quoted with the upload's name, not the server's folders.
        fields = {key: _upload_path(value, folder, name) for key, value in exc.fields.items()}
        raise Refusal(400, exc.message_id, **fields) from None
    except (OSError, ValueError) as exc:
        raise Refusal(400, "judge.pack.bad_zip", name=name, problem=str(exc)) from None
    if challenge.id != challenge_id:
        raise Refusal(400, "judge.pack.wrong_challenge", name=name, pack_challenge=challenge.id, challenge=challenge_id)
    # The pack format lets a pack name a world or an opponent program by path: an uploaded
    # pack may only use its own files and the built-in worlds and examples.
    world = Path(challenge.world.source).resolve()
    if not (world.is_relative_to(folder.resolve()) or world.is_relative_to(WORLDS_DIR.resolve())):
        raise Refusal(400, "judge.pack.outside_file", name=name, key="world", value=challenge.world_ref)
    opponent = challenge.settings.opponent
    if opponent:
        from importlib.resources import files

        examples = Path(str(files("roboarena.examples"))).resolve()
        where = Path(opponent).resolve()
        if not (where.is_relative_to(folder.resolve()) or where.parent == examples):
            raise Refusal(400, "judge.pack.outside_file", name=name, key="match.opponent", value=Path(opponent).name)
    return challenge


def _upload_path(value, folder: Path, name: str):
    if isinstance(value, str) and value.startswith(str(folder)):
        return f"{name}/{Path(value).relative_to(folder).as_posix()}"
    return value


def _move_into_place(staging: Path, target: Path):
    try:
        staging.rename(target)
    except OSError:
        # The same version arrived twice at once: the first one in place is kept.
        if not (target / "challenge.toml").is_file():
            raise
