"""The optional C parts of pywasihost (cffi, API mode): the wasmtime engine's trampoline, and the
command line's SIGINT handler for engines that hold the GIL while wasm runs.

Everything else is in pyproject.toml. Without a C compiler their build fails and is skipped with a
warning: pywasihost then uses its pure-Python (ctypes) path, said by ``pywasihost inspect``, and the
command line leaves SIGINT its default action on those engines (see engines/sigexit.py).
"""

from __future__ import annotations

from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):  # type: ignore[misc]
    """Build the C extension if this machine can; never fail the install because of it."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler, no headers...: the Python path serves
            print(f"warning: pywasihost's C trampoline was not built ({exc}); the ctypes path will be used")

    def build_extension(self, ext: Any) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            print(f"warning: {ext.name} was not built ({exc}); pywasihost works without it (see setup.py)")


setup(
    cffi_modules=[
        "src/pywasihost/engines/_trampoline_build.py:ffibuilder",
        "src/pywasihost/engines/_sigint_build.py:ffibuilder",
    ],
    cmdclass={"build_ext": OptionalBuildExt},
)
