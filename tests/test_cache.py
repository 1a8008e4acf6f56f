"""The compiled-module cache (pywasihost.cache): hits, misses, damaged entries, directories it must
refuse, eviction, and two processes filling one entry at once. Engine-neutral: every engine that
serializes goes through the same three methods."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pywasihost
from conftest import program
from pywasihost import CAPTURE, WasiConfig
from pywasihost.cache import ModuleCache, default_cache_dir
from pywasihost.engines import (
    CompiledModule,
    Engine,
    EngineInstance,
    HostFunctions,
    InstanceLimits,
    available_engines,
    compile_module,
    get_engine,
)
from pywasihost.engines.base import NO_LIMITS

HELLO = "c/args_env"


class CountingEngine:
    """An engine that counts compilations and deserializations, and forwards everything."""

    def __init__(self, inner: Engine) -> None:
        self.inner = inner
        self.name = inner.name
        self.version = inner.version
        self.interrupts_wasm = inner.interrupts_wasm
        self.supports_fuel = inner.supports_fuel
        self.host_calls = inner.host_calls
        self.compiled = 0
        self.deserialized = 0

    @property
    def cache_tag(self) -> str:
        return self.inner.cache_tag

    def compile(self, wasm: bytes) -> CompiledModule:
        self.compiled += 1
        return self.inner.compile(wasm)

    def variant(self, limits: InstanceLimits) -> Engine:
        return self if self.inner.variant(limits) is self.inner else self.inner.variant(limits)

    def serialize(self, module: CompiledModule) -> bytes:
        return self.inner.serialize(module)

    def deserialize(self, data: bytes, wasm: bytes) -> CompiledModule:
        self.deserialized += 1
        return self.inner.deserialize(data, wasm)

    def instantiate(
        self, module: CompiledModule, functions: HostFunctions, limits: InstanceLimits = NO_LIMITS
    ) -> EngineInstance:
        return self.inner.instantiate(module, functions, limits)


def run_hello(engine: Engine, cache: ModuleCache | bool) -> None:
    """Run the args/env guest through ``cache`` and check that it really ran."""
    config = WasiConfig(args=["args_env.wasm", "cached"], stdout=CAPTURE)
    result = pywasihost.run(program(HELLO), config, engine=engine, cache=cache)
    assert result.exit_code == 0 and result.stdout is not None and b"argv[1]=cached" in result.stdout


def entries(directory: Path) -> list[Path]:
    return sorted(directory.iterdir())


@pytest.fixture
def counting(engine: Engine) -> CountingEngine:
    return CountingEngine(engine)


def test_a_miss_compiles_and_stores_then_a_hit_loads_it(counting: CountingEngine, tmp_path: Path) -> None:
    cache = ModuleCache(tmp_path / "cache")
    run_hello(counting, cache)
    assert (counting.compiled, counting.deserialized) == (1, 0)
    [entry] = entries(tmp_path / "cache")
    assert entry.suffix == ".module" and (entry.stat().st_mode & 0o777) == 0o600
    assert (tmp_path / "cache").stat().st_mode & 0o777 == 0o700
    run_hello(counting, cache)
    run_hello(counting, cache)
    assert (counting.compiled, counting.deserialized) == (1, 2)
    assert entries(tmp_path / "cache") == [entry]


def test_the_key_is_the_module_and_the_engine_tag(counting: CountingEngine, tmp_path: Path) -> None:
    cache = ModuleCache(tmp_path)
    wasm = program(HELLO).read_bytes()
    other = program("c/clock").read_bytes()
    tag = counting.cache_tag
    assert cache.entry_path(tag, wasm) == cache.entry_path(tag, bytes(wasm))
    assert cache.entry_path(tag, wasm) != cache.entry_path(tag, other)
    assert cache.entry_path(tag, wasm) != cache.entry_path(tag + " another CPU", wasm)
    assert counting.name in tag


def test_the_tag_names_the_engine_its_version_and_its_code_options(engine: Engine) -> None:
    tag = engine.cache_tag
    assert tag.startswith(f"{engine.name} {engine.version} ") and "cpu-flags:" in tag
    if engine.name == "wasmtime":  # the Config options that change its code (wasmer has none to set)
        assert " memory_may_move=False " in tag
        # a run with a timeout compiles with epoch checks, by a sibling engine of another tag
        timed = engine.variant(InstanceLimits(timeout=1.0)).cache_tag
        assert timed != tag and " epoch_interruption=True memory_may_move=False " in timed
    else:
        assert "cranelift" in tag


def test_a_module_loaded_from_the_cache_keeps_its_wasm_for_the_limits(counting: CountingEngine, tmp_path: Path) -> None:
    """Limits that need the module compiled again (max_memory on wasmer, fuel on wasmtime) work on a
    module loaded from the cache: it keeps the wasm it came from."""
    cache = ModuleCache(tmp_path)
    grow = program("wat/grow").read_bytes()
    cache.compile(counting, grow)
    module = cache.compile(counting, grow)
    assert (counting.compiled, counting.deserialized) == (1, 1)
    assert pywasihost.run(module, WasiConfig(max_memory=64 << 20)).exit_code == 1  # the 1 GiB grow refused
    assert pywasihost.run(module).exit_code == 0
    if counting.supports_fuel:  # wasmtime: a fuel engine of its own compiles the module again, uncached
        spin = program("wat/spin").read_bytes()
        cache.compile(counting, spin)
        with pytest.raises(pywasihost.Trap, match=r"ran out of fuel \(10000 units\)"):
            pywasihost.run(cache.compile(counting, spin), WasiConfig(fuel=10_000))
        assert (counting.compiled, counting.deserialized) == (2, 2)
        assert len(entries(tmp_path)) == 2


def test_a_module_from_the_cache_defers_its_start_function_as_a_fresh_one(
    counting: CountingEngine, tmp_path: Path
) -> None:
    """compile() takes a start section out (its function runs once memory is bound, as it may call
    WASI): a module loaded from the cache knows that function too, runs it first and does not list
    it among its exports."""
    cache = ModuleCache(tmp_path)
    wasm = program("wat/start_write").read_bytes()
    fresh = cache.compile(counting, wasm)
    cached = cache.compile(counting, wasm)
    assert (counting.compiled, counting.deserialized) == (1, 1)
    assert cached.deferred_start == fresh.deferred_start is not None
    assert [e.name for e in cached.exports] == [e.name for e in fresh.exports]
    assert cached.deferred_start not in [e.name for e in cached.exports]
    for module in (fresh, cached):
        result = pywasihost.run(module, WasiConfig(stdout=CAPTURE))
        assert result.exit_code == 0 and result.stdout == b"from start\nfrom _start\n"


def test_the_auto_fallback_is_cached_as_the_engine_that_compiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A module wasmer cannot compile runs on wasmtime under "auto": its entry is wasmtime's, and the
    next run loads it (wasmer, where it imports, is tried first each time: it has no entry for it)."""
    wasmtime = get_engine("wasmtime")
    calls: list[str] = []
    real_compile, real_deserialize = wasmtime.compile, wasmtime.deserialize

    def compile(wasm: bytes) -> CompiledModule:
        calls.append("compile")
        return real_compile(wasm)

    def deserialize(data: bytes, wasm: bytes) -> CompiledModule:
        calls.append("deserialize")
        return real_deserialize(data, wasm)

    monkeypatch.setattr(wasmtime, "compile", compile)
    monkeypatch.setattr(wasmtime, "deserialize", deserialize)
    wasm = program("wat/simd_final").read_bytes()
    cache = ModuleCache(tmp_path)
    for _ in range(2):
        assert compile_module(wasm, "auto", cache).engine is wasmtime
    assert calls == ["compile", "deserialize"]
    assert entries(tmp_path) == [Path(cache.entry_path(wasmtime.cache_tag, wasm))]
    fallbacks = capfd.readouterr().err.count("wasmer cannot compile this module")
    assert fallbacks == (2 if available_engines()["wasmer"] is None else 0)


def test_cache_false_neither_reads_nor_writes(counting: CountingEngine, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    run_hello(counting, True)
    assert (counting.compiled, len(entries(tmp_path / "pywasihost"))) == (1, 1)
    run_hello(counting, False)
    run_hello(counting, False)
    assert (counting.compiled, counting.deserialized) == (3, 0)


def test_the_default_directory_follows_xdg_cache_home(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == str(tmp_path / "pywasihost")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, as the XDG spec says
    assert default_cache_dir() == str(Path.home() / ".cache" / "pywasihost")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == str(Path.home() / ".cache" / "pywasihost")


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:40], id="truncated-in-header"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[:-100] + bytes(b ^ 0xFF for b in data[-100:]), id="flipped-bytes"),
        pytest.param(lambda data: b"X" + data[1:], id="bad-magic"),
        pytest.param(lambda data: data + b"trailing", id="appended"),
    ],
)
def test_a_damaged_entry_is_compiled_again_and_replaced(
    counting: CountingEngine, tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    cache = ModuleCache(tmp_path)
    run_hello(counting, cache)
    [entry] = entries(tmp_path)
    good = entry.read_bytes()
    entry.write_bytes(damage(good))
    run_hello(counting, cache)  # the engine never sees the damaged bytes (wasmer would crash)
    assert (counting.compiled, counting.deserialized) == (2, 0)
    assert entries(tmp_path) == [entry] and entry.read_bytes() == good
    run_hello(counting, cache)
    assert (counting.compiled, counting.deserialized) == (2, 1)


def test_a_symlinked_entry_is_not_followed(counting: CountingEngine, tmp_path: Path) -> None:
    cache = ModuleCache(tmp_path / "cache")
    run_hello(counting, cache)
    [entry] = entries(tmp_path / "cache")
    planted = tmp_path / "planted"
    entry.rename(planted)
    entry.symlink_to(planted)
    run_hello(counting, cache)
    assert (counting.compiled, counting.deserialized) == (2, 0)
    assert not entry.is_symlink() and entry.read_bytes() == planted.read_bytes()


@pytest.mark.parametrize(
    ("where", "problem"),
    [
        ("under-a-file", "cannot create {dir}: Not a directory"),
        # /proc/self is the user's own directory (0555): nothing can be created in it, even by root.
        ("/proc/self", "/proc/self is not writable"),
    ],
)
def test_an_unusable_directory_is_warned_about_once_and_runs_go_on(
    counting: CountingEngine, tmp_path: Path, capfd: pytest.CaptureFixture[str], where: str, problem: str
) -> None:
    if where == "under-a-file":
        (tmp_path / "a-file").write_text("not a directory\n")
        where = str(tmp_path / "a-file" / "cache")
    cache = ModuleCache(where)
    run_hello(counting, cache)
    run_hello(counting, cache)
    assert (counting.compiled, counting.deserialized) == (2, 0)
    err = capfd.readouterr().err
    assert err == f"pywasihost: compiled-module cache not used: {problem.format(dir=where)}\n"


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777, 0o1777])
def test_a_directory_others_can_write_is_refused(
    counting: CountingEngine, tmp_path: Path, capfd: pytest.CaptureFixture[str], mode: int
) -> None:
    directory = tmp_path / "cache"
    ModuleCache(directory).problem()  # made, private
    run_hello(counting, ModuleCache(directory))
    assert len(entries(directory)) == 1
    capfd.readouterr()
    directory.chmod(mode)
    cache = ModuleCache(directory)
    run_hello(counting, cache)
    run_hello(counting, cache)
    assert (counting.compiled, counting.deserialized) == (3, 0)  # the entry there is not loaded
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "is writable by group or others" in err
    assert cache.info().problem and "not used" in cache.info().format()


def test_a_directory_of_another_user_is_refused(counting: CountingEngine, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        directory = tmp_path / "cache"
        directory.mkdir(mode=0o700)
        os.chown(directory, 65534, 65534)
    else:
        directory = Path("/")  # root's
    cache = ModuleCache(directory)
    assert "is owned by uid" in cache.problem()
    run_hello(counting, cache)
    assert (counting.compiled, counting.deserialized) == (1, 0)


def test_an_entry_others_can_write_is_not_loaded(counting: CountingEngine, tmp_path: Path) -> None:
    cache = ModuleCache(tmp_path)
    run_hello(counting, cache)
    [entry] = entries(tmp_path)
    entry.chmod(0o622)
    run_hello(counting, cache)
    assert (counting.compiled, counting.deserialized) == (2, 0)
    assert entry.stat().st_mode & 0o777 == 0o600  # replaced by a private one


def test_least_recently_used_entries_are_evicted_past_the_cap(counting: CountingEngine, tmp_path: Path) -> None:
    names = ["c/args_env", "c/clock", "c/custom", "c/fsutil"]
    wasm = {name: program(name).read_bytes() for name in names}
    big = ModuleCache(tmp_path)
    paths = {name: Path(big.entry_path(counting.cache_tag, wasm[name])) for name in names}
    for when, name in enumerate(names[:3], start=1):
        big.compile(counting, wasm[name])
        os.utime(paths[name], (when * 1000, when * 1000))  # args_env oldest, then clock, then custom
    big.compile(counting, wasm["c/args_env"])  # a hit: args_env becomes the most recently used
    assert counting.deserialized == 1
    size = {name: paths[name].stat().st_size for name in names[:3]}
    fsutil_size = len(counting.serialize(counting.compile(wasm["c/fsutil"])))
    # Room for everything but one of the first three: clock, the least recently used, goes.
    cap = size["c/args_env"] + size["c/custom"] + fsutil_size + 1000
    ModuleCache(tmp_path, max_bytes=cap).compile(counting, wasm["c/fsutil"])
    assert sorted(entries(tmp_path)) == sorted(paths[n] for n in ("c/args_env", "c/custom", "c/fsutil"))
    cache = ModuleCache(tmp_path, max_bytes=0)
    assert cache.info().entries == 3  # eviction happens on writes
    cache.evict()
    assert entries(tmp_path) == []


def test_info_and_clear(counting: CountingEngine, tmp_path: Path) -> None:
    cache = ModuleCache(tmp_path, max_bytes=10 << 20)
    run_hello(counting, cache)
    (tmp_path / "unrelated.txt").write_text("kept\n")
    info = cache.info()
    assert (info.entries, info.problem, info.max_bytes) == (1, "", 10 << 20)
    assert info.total_bytes == sum(p.stat().st_size for p in tmp_path.glob("*.module"))
    assert f"directory: {tmp_path}\nstate: in use\nentries: 1\n" in info.format()
    assert cache.clear() == 1
    assert entries(tmp_path) == [tmp_path / "unrelated.txt"]


FILL = """
import sys, time
from pathlib import Path
import pywasihost
from pywasihost.cache import ModuleCache
go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
config = pywasihost.WasiConfig(args=["args_env.wasm", "filled"], stdout=pywasihost.CAPTURE)
result = pywasihost.run(sys.argv[3], config, cache=ModuleCache(sys.argv[1]))
sys.stdout.buffer.write(result.stdout or b"")
sys.exit(result.exit_code)
"""


def test_two_processes_filling_the_same_entry_at_once(counting: CountingEngine, tmp_path: Path) -> None:
    directory, go = tmp_path / "cache", tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", FILL, str(directory), str(go), str(program(HELLO))],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    go.touch()  # both start compiling at the same moment
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert (proc.returncode, err) == (0, b"")
        assert b"argv[1]=filled" in out
    [entry] = entries(directory)  # one entry, no temporary file left
    assert entry.suffix == ".module"
    magic, tag, rest = entry.read_bytes().split(b"\n", 2)
    assert magic == b"pywasihost compiled module 1" and hashlib.sha256(rest[32:]).digest() == rest[:32]  # whole
    if tag.decode() == counting.cache_tag:  # the processes ran the default engine: is it this test's?
        run_hello(counting, ModuleCache(directory))
        assert (counting.compiled, counting.deserialized) == (0, 1)


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "pywasihost", *args], capture_output=True, env=env, timeout=60)


def test_cli_caches_by_default_and_no_cache_leaves_it_alone(tmp_path: Path) -> None:
    directory = tmp_path / "pywasihost"
    proc = cli(tmp_path, "run", "--no-cache", str(program(HELLO)), "x")
    assert (proc.returncode, proc.stderr) == (0, b"") and not directory.exists()
    for _ in range(2):  # a miss, then a hit
        proc = cli(tmp_path, "run", str(program(HELLO)), "x")
        assert (proc.returncode, proc.stderr) == (0, b"") and b"argv[1]=x" in proc.stdout
        assert len(entries(directory)) == 1
    info = cli(tmp_path, "cache", "info")
    assert info.returncode == 0
    assert info.stdout.decode().startswith(f"directory: {directory}\nstate: in use\nentries: 1\nsize: 0.")
    clear = cli(tmp_path, "cache", "clear")
    assert (clear.returncode, clear.stdout) == (0, f"removed 1 compiled modules from {directory}\n".encode())
    assert entries(directory) == []
    assert b"entries: 0\n" in cli(tmp_path, "cache", "info").stdout


def test_cli_warns_once_about_a_directory_others_can_write(tmp_path: Path) -> None:
    directory = tmp_path / "pywasihost"
    directory.mkdir(mode=0o700)
    directory.chmod(0o777)
    proc = cli(tmp_path, "run", str(program(HELLO)))
    assert proc.returncode == 0 and entries(directory) == []
    assert proc.stderr.decode() == (
        f"pywasihost: compiled-module cache not used: {directory} is writable by group or others "
        "(mode 777; chmod go-w it)\n"
    )
    assert b"state: not used: " in cli(tmp_path, "cache", "info").stdout


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_something_else_in_an_entry_s_place_is_not_read(
    counting: CountingEngine, tmp_path: Path, kind: str, capfd: pytest.CaptureFixture[str]
) -> None:
    cache = ModuleCache(tmp_path)
    entry = Path(cache.entry_path(counting.cache_tag, program(HELLO).read_bytes()))
    if kind == "directory":
        entry.mkdir()
    else:
        os.mkfifo(entry)
    run_hello(counting, cache)  # not read (a FIFO would block the run): compiled
    run_hello(counting, cache)
    err = capfd.readouterr().err
    if kind == "directory":  # cannot be renamed over: never cached, said once
        assert (counting.compiled, counting.deserialized) == (2, 0)
        assert err.count("\n") == 1 and "cannot write in" in err
    else:  # the entry is renamed over the FIFO
        assert (counting.compiled, counting.deserialized) == (1, 1)
        assert err == "" and entry.is_file()
