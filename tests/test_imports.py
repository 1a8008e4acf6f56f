"""What importing pywasihost loads (modules, not timings: benchmarks/import_time.py prints those).

``import pywasihost`` loads the package's ``__init__`` alone and each public name on first use; the
CLI loads argparse and what the command it runs needs, nothing else."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pywasihost
from conftest import program
from pywasihost.abi import _generated

NEW_MODULES = """
import json, sys
before = set(sys.modules)
{code}
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def modules_loaded_by(code: str) -> set[str]:
    """The modules that running ``code`` in a fresh interpreter adds to sys.modules."""
    proc = subprocess.run(
        [sys.executable, "-c", NEW_MODULES.format(code=code)], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(proc.stdout.splitlines()[-1]))


def test_import_pywasihost_loads_only_the_package_itself() -> None:
    assert modules_loaded_by("import pywasihost") <= {"pywasihost", "__future__"}


HEAVY = ("wasmer", "wasmtime", "cffi", "argparse", "typing", "dataclasses", "inspect", "enum", "pathlib", "hashlib")


def test_a_plain_import_loads_nothing_heavy_and_the_public_api_still_resolves() -> None:
    """The engines, cffi, the syscall implementations, the ABI classes and the heavy standard library
    modules are absent after ``import pywasihost``; the public names load them when used."""
    code = (
        "import sys\n"
        "import pywasihost\n"
        "after_import = sorted(sys.modules)\n"
        "import json\n"
        "result = pywasihost.run(sys.argv[1], pywasihost.WasiConfig(args=['hello'], stdout=pywasihost.CAPTURE))\n"
        "print(json.dumps([after_import, result.stdout.decode(), repr(pywasihost.Errno.BADF), "
        "len(pywasihost.Namespace.preview1())]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(program("c/args_env"))], capture_output=True, text=True, check=True, timeout=60
    )
    after_import, stdout, badf, functions = json.loads(proc.stdout.splitlines()[-1])
    own = {m for m in after_import if m.startswith("pywasihost")}
    assert own == {"pywasihost"} and not {m.split(".")[0] for m in after_import} & set(HEAVY)
    assert "argv[0]=hello" in stdout and badf == "Errno.BADF" and functions == 46


def test_a_run_builds_only_the_syscalls_its_guest_imports() -> None:
    """A guest's imports are looked up in the preview 1 set, and only those are made into
    ``Syscall`` objects (reading a function's annotations is most of what registering it costs)."""
    hello = str(program("c/args_env"))
    code = (
        "import json, pywasihost\n"
        "from pywasihost.syscalls._register import BUILTINS\n"
        f"module = pywasihost.compile({hello!r})\n"
        "pywasihost.run(module, pywasihost.WasiConfig(stdout=pywasihost.Stdio.NULL))\n"
        "built = sorted(name for name, build in BUILTINS.items() if build.cache_info().currsize)\n"
        "imported = sorted(i.name for i in module.imports if i.module == pywasihost.PREVIEW1)\n"
        "print(json.dumps([built, imported, len(BUILTINS)]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    built, imported, registered = json.loads(proc.stdout.splitlines()[-1])
    assert built == imported and 0 < len(built) < registered == 46


def test_a_run_loads_neither_pathlib_nor_signal_nor_argparse_unless_the_engine_does() -> None:
    code = f"import pywasihost; pywasihost.run({str(program('c/args_env'))!r})"
    loaded = modules_loaded_by(code) - modules_loaded_by(
        "from pywasihost.engines import default_engine; default_engine()"
    )
    assert "pywasihost.instance" in loaded
    assert not loaded & {"pathlib", "signal", "argparse", "pywasihost.modinfo", "pywasihost.tracing"}


def test_a_public_name_loads_its_module_on_first_use() -> None:
    loaded = modules_loaded_by("import pywasihost; pywasihost.Errno")
    assert "pywasihost.abi._generated" in loaded and "pywasihost.instance" not in loaded
    loaded = modules_loaded_by("from pywasihost import WasiConfig")
    assert "pywasihost.config" in loaded and "pywasihost.modinfo" not in loaded


def test_every_public_name_resolves_and_star_import_gives_them_all() -> None:
    names = pywasihost.__all__
    assert len(names) == len(set(names))
    assert set(_generated.__all__) <= set(names)
    assert {"WasiConfig", "run", "describe_module", "Errno", "Rights", "enable_trace_output"} <= set(names)
    for name in names:
        assert getattr(pywasihost, name) is not None, name
    assert set(names) <= set(dir(pywasihost))
    star: dict[str, object] = {}
    exec("from pywasihost import *", star)
    assert set(star) - {"__builtins__"} == set(names)


def test_the_type_checkers_all_is_the_runtime_all() -> None:
    """``__all__`` is written out for type checkers (under ``if TYPE_CHECKING``) and built from
    ``_LAZY`` at run time: both must name the same things."""
    tree = ast.parse(open(pywasihost.__file__).read())
    static: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name) and target.id == "__all__" and isinstance(node.value, ast.List):
                static += [ast.literal_eval(e) for e in node.value.elts]
    assert len(static) == len(set(static)) > 40
    assert set(static) | set(_generated.__all__) == set(pywasihost.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    for name in ("no_such_thing", "_private", "Errno2"):
        try:
            getattr(pywasihost, name)
        except AttributeError as exc:
            assert name in str(exc)
        else:
            raise AssertionError(f"pywasihost.{name} exists")


def test_the_cli_loads_only_argparse_until_a_command_runs() -> None:
    loaded = modules_loaded_by("import pywasihost.cli")
    own = {m for m in loaded if m.startswith("pywasihost")}
    assert own == {"pywasihost", "pywasihost.cli"}
    assert "argparse" in loaded and "shutil" not in loaded and "typing" not in loaded


def test_a_cli_run_loads_neither_inspection_nor_sockets_nor_tracing() -> None:
    code = f"from pywasihost.cli import main; main(['run', {str(program('c/args_env'))!r}])"
    loaded = modules_loaded_by(code)
    assert {"pywasihost.instance", "pywasihost.cache"} <= loaded
    assert not loaded & {"pywasihost.modinfo", "pywasihost.tracing", "logging", "socket", "shutil"}
