"""Compile the tagging modules with mypyc (see tracker.native), or remove the build.

    python -m tracker.native_build build    compile tracker.native.MODULES in place
    python -m tracker.native_build status   which code the next run uses, and why
    python -m tracker.native_build clean    remove the compiled modules

`build` needs requirements-build.txt and a C compiler. Exit status: 0 built, 1 the build
failed (the Python modules run, as before), 2 mypyc is not installed or bad usage.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from tracker import native


def build() -> int:
    try:
        from mypyc.build import mypycify
        from setuptools import setup
    except ImportError:
        print("tracker.native_build: mypyc is not installed "
              "(pip install -r requirements-build.txt)", file=sys.stderr)
        return 2
    clean()
    sources = [str(native.source_of(m).relative_to(native.REPO)) for m in native.MODULES]
    before = native.digest()
    work = Path(tempfile.mkdtemp(prefix="tracker-native-"))
    cwd = Path.cwd()
    log = io.StringIO()  # mypyc's and setuptools' chatter: shown only when the build fails
    os.environ.setdefault("MYPY_CACHE_DIR", str(work / "mypy-cache"))
    try:
        os.chdir(native.REPO)  # mypyc names modules by their paths from here
        with contextlib.redirect_stdout(log):
            modules = mypycify(["--ignore-missing-imports", *sources], opt_level="3",
                               group_name=native.SHARED, target_dir=str(work / "c"))
            setup(name="tracker-native", py_modules=[], packages=[], ext_modules=modules,
                  script_args=["--quiet", "build_ext", "--inplace",
                               "--build-temp", str(work / "o"),
                               "--build-lib", str(work / "lib"),
                               "--parallel", str(_cores())])
    except (Exception, SystemExit) as e:  # a type error or no compiler: say so, keep Python
        clean()
        sys.stderr.write(log.getvalue()[-4000:])
        print(f"tracker.native_build: build failed ({_first_line(e)}); "
              "the Python modules run", file=sys.stderr)
        return 1
    finally:
        os.chdir(cwd)
        shutil.rmtree(work, ignore_errors=True)
    if native.digest() != before:  # edited while compiling: a build of neither version
        clean()
        print("tracker.native_build: sources changed during the build; run it again",
              file=sys.stderr)
        return 1
    native.RECORD.write_text(json.dumps({"sources": before, "python": sys.version,
                                         "modules": list(native.MODULES)}, indent=1) + "\n",
                             encoding="utf-8")
    print(f"tracker.native_build: compiled {len(native.MODULES)} modules", file=sys.stderr)
    return 0


def clean() -> None:
    for path in native.extensions():
        path.unlink()
    native.RECORD.unlink(missing_ok=True)


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, min(4, len(os.sched_getaffinity(0))))
    return max(1, min(4, os.cpu_count() or 1))


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:200]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if len(args) == 1 else ""
    if command == "build":
        return build()
    if command == "clean":
        clean()
        return 0
    if command == "status":
        print(native.status())
        return 0
    print("usage: python -m tracker.native_build build|status|clean", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
