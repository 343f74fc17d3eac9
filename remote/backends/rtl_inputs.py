"""Input checks shared by the RTL backends (``rtl-sim`` and ``synth``).

Every file a job names is checked before anything runs: it is a relative path made of a small safe
alphabet (no ``..``, no leading ``-`` that a tool could take for an option, no characters that
would need quoting in a Yosys script), it stays inside the workspace after symlinks are resolved,
it is a regular file with an allowed extension, and it is not too large. Module names must be
plain Verilog identifiers. Failures raise :class:`core.errors.InvalidInput` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.errors import InvalidInput

ParamsModel = TypeVar("ParamsModel", bound=BaseModel)

#: Extensions accepted for Verilog / SystemVerilog sources.
HDL_EXTENSIONS: tuple[str, ...] = (".v", ".sv")
#: Extensions accepted for a Liberty cell library.
LIBERTY_EXTENSIONS: tuple[str, ...] = (".lib",)

#: Largest single HDL source accepted (a student lab is a few kB; generated netlists are larger).
MAX_HDL_BYTES = 2 * 1024 * 1024
#: Largest total of all HDL sources of one job.
MAX_TOTAL_HDL_BYTES = 8 * 1024 * 1024
#: Largest Liberty file accepted (real foundry libraries are tens of MB; labs use small ones).
MAX_LIBERTY_BYTES = 64 * 1024 * 1024
#: Most files one job may name.
MAX_FILES = 64

#: The folder inside the workspace where backends put their build products and logs.
BUILD_DIR = "_build"

_SAFE_COMPONENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


def parse_model(model: type[ParamsModel], params: Mapping[str, Any] | ParamsModel, *,
                backend: str) -> ParamsModel:
    """Validate raw job parameters into ``model``; the first problem becomes InvalidInput."""
    if isinstance(params, model):
        return params
    try:
        return model.model_validate(dict(params))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"{backend}: {where}: {first['msg']}", field=where) from exc


def split_list(value: Any) -> Any:
    """Accept ``"a.v,b.v"`` (as ``--param K=V`` gives it) as well as a list."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def check_identifier(name: str, *, field: str) -> str:
    """A Verilog module name: letters, digits and ``_``, not starting with a digit."""
    if not _IDENTIFIER.fullmatch(name):
        raise InvalidInput(f"{field}: {name!r} is not a plain Verilog identifier", field=field,
                           value=name)
    return name


def check_relative_name(name: str, *, field: str) -> PurePosixPath:
    """Check the spelling of a workspace-relative file name (no file system access)."""
    if not name or len(name) > 512:
        raise InvalidInput(f"{field}: file name is empty or too long", field=field, value=name)
    if "\\" in name or name.startswith("/"):
        raise InvalidInput(f"{field}: {name!r} must be a relative path with '/' separators",
                           field=field, value=name)
    path = PurePosixPath(name)
    for part in path.parts:
        if part in ("", ".", ".."):
            raise InvalidInput(f"{field}: {name!r} may not contain '.' or '..' components",
                               field=field, value=name)
        if not _SAFE_COMPONENT.fullmatch(part):
            raise InvalidInput(
                f"{field}: {name!r} has a component {part!r} outside [A-Za-z0-9_.+-] "
                "or starting with '.', '+' or '-'", field=field, value=name)
    if path.parts[0] == BUILD_DIR:
        raise InvalidInput(f"{field}: {BUILD_DIR}/ is reserved for build products",
                           field=field, value=name)
    return path


def check_file(workspace: Path, name: str, *, field: str, extensions: Sequence[str],
               max_bytes: int) -> Path:
    """Check one named file inside ``workspace``; return its resolved path."""
    rel = check_relative_name(name, field=field)
    if rel.suffix.lower() not in extensions:
        raise InvalidInput(f"{field}: {name!r} must end in one of {', '.join(extensions)}",
                           field=field, value=name)
    root = workspace.resolve()
    candidate = root / Path(*rel.parts)
    if not candidate.exists():
        raise InvalidInput(f"{field}: {name!r} does not exist in the workspace", field=field,
                           value=name)
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root):
        raise InvalidInput(f"{field}: {name!r} points outside the workspace", field=field,
                           value=name)
    if not resolved.is_file():
        raise InvalidInput(f"{field}: {name!r} is not a regular file", field=field, value=name)
    size = resolved.stat().st_size
    if size == 0:
        raise InvalidInput(f"{field}: {name!r} is empty", field=field, value=name)
    if size > max_bytes:
        raise InvalidInput(f"{field}: {name!r} is {size} bytes, more than {max_bytes}",
                           field=field, value=name, size=size)
    return resolved


def check_hdl_files(workspace: Path, groups: Iterable[tuple[str, Sequence[str]]]) -> int:
    """Check every HDL file of several named groups; return their total size.

    Also rejects a file named twice (a common mistake that makes simulators report a module
    as defined twice) and more than :data:`MAX_FILES` files.
    """
    if not workspace.is_dir():
        raise InvalidInput(f"workspace {workspace} is not a directory")
    seen: dict[str, str] = {}
    total = 0
    for field, names in groups:
        for name in names:
            if name in seen:
                raise InvalidInput(f"{field}: {name!r} is already listed in {seen[name]}",
                                   field=field, value=name)
            seen[name] = field
            total += check_file(workspace, name, field=field, extensions=HDL_EXTENSIONS,
                                max_bytes=MAX_HDL_BYTES).stat().st_size
    if len(seen) > MAX_FILES:
        raise InvalidInput(f"too many files ({len(seen)}); at most {MAX_FILES}")
    if total > MAX_TOTAL_HDL_BYTES:
        raise InvalidInput(f"HDL sources total {total} bytes, more than {MAX_TOTAL_HDL_BYTES}",
                           size=total)
    return total
