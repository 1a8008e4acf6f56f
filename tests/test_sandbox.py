"""Sandbox attacks from the security notes, tried by guest programs, and run-level hygiene.

The attack guest (``tests/programs/c/sandbox.c``) checks each refusal itself (errno in the
accepted set) and exits non-zero on any surprise. Here the host side is checked too: nothing
outside the sandbox changed (names, contents, mtimes), nothing outside was opened, read, written or
created (inotify), the secret never reached the guest's output, and every host fd the run opened is
closed again. Hostile sizes and pointers (``wat/attack_huge.wat``) must trap cleanly: a
:class:`GuestMemoryError`, never a :class:`HostError` (a Python exception escaping a syscall).
"""

from __future__ import annotations

import re
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import compiled, run_program
from pywasihost import (
    CAPTURE,
    Errno,
    GuestMemoryError,
    HostError,
    MemoryLimits,
    Preopen,
    RunResult,
    Trap,
    WasiConfig,
    WasiInstance,
)
from pywasihost.engines import Engine
from sandbox_watch import IN_READ_ONLY, InotifyWatch, host_fds, mask_names

if TYPE_CHECKING:
    from fs_backends import Backend

pytest_plugins = ["fs_backends"]  # the backend fixture: host directories, then a MemoryFS

SECRET = b"TOP SECRET: outside the sandbox\n"

# --------------------------------------------------------------------------------------------------
# The directory layout of the attacks.


@dataclass
class Layout:
    root: Path  # tmp_path
    sandbox: Path  # preopened as /sandbox (fd 3)
    ro: Path  # preopened read-only as /ro (fd 4)
    outside: Path
    sibling: Path  # "sandbox-sibling": shares the sandbox's name as a prefix


def make_layout(root: Path) -> Layout:
    lay = Layout(root, root / "sandbox", root / "ro", root / "outside", root / "sandbox-sibling")
    for d in (lay.sandbox / "sub", lay.ro / "rodir", lay.outside / "emptydir", lay.outside / "sub", lay.sibling):
        d.mkdir(parents=True)
    (lay.outside / "secret.txt").write_bytes(SECRET)
    (lay.outside / "sub" / "inner.txt").write_bytes(SECRET)
    (lay.outside / "link").symlink_to("secret.txt")
    (lay.sibling / "secret.txt").write_bytes(SECRET)
    (lay.ro / "ro.txt").write_bytes(b"READ ONLY DATA\n")
    (lay.ro / "ro2.txt").write_bytes(b"second\n")
    (lay.sandbox / "file.txt").write_bytes(b"hello sandbox\n")
    (lay.sandbox / "sub" / "inner.txt").write_bytes(b"inner\n")
    links = {
        "esc": "../outside/secret.txt",
        "escdir": "../outside",
        "escnew": "../outside/created.txt",
        "escnewdir": "../outside/newdir",
        "abslink": str(lay.outside / "secret.txt"),
        "absdir": str(lay.outside),
        "dotlink": ".",
        "slashlink": "escdir/",
        "sibling": "../sandbox-sibling/secret.txt",
        "loop1": "loop2",
        "loop2": "loop1",
        "selfloop": "selfloop",
        "sub/up": "..",
        "sub/upup": "../..",
    }
    for name, target in links.items():
        (lay.sandbox / name).symlink_to(target)
    return lay


# --------------------------------------------------------------------------------------------------
# The attack sections of sandbox.c.

# Each section's number of in-guest checks when all pass (a minimum where some depend on a branch the
# host may take: symlinks that may be refused at creation, a read-only open that may succeed).
SECTIONS = {"paths": 90, "symlinks": 90, "readonly": 43, "renumber": 84, "poll": 58, "bounds": 43}

# Names a section may add to the sandbox; nothing else in it may change.
ALLOWED_NEW = {
    "symlinks": {"made_dot", "made_esc", "made_new", "made_abs", "made_up"},
    "readonly": {"written.txt"},
    "bounds": {"pw.txt"},
}


def sandbox_preopens(lay: Layout, backend: Backend) -> list[Preopen]:
    return [backend.preopen(lay.sandbox, "/sandbox"), backend.preopen(lay.ro, "/ro", readonly=True)]


def run_sandbox(section: str, lay: Layout, preopens: list[Preopen]) -> RunResult:
    return run_program("c/sandbox", section, str(lay.outside / "secret.txt"), str(lay.outside), preopens=preopens)


def forbidden_events(lay: Layout, events: list[tuple[Path, str, int]]) -> list[str]:
    """Events that show the host touched something it must not have."""
    bad = []
    for where, name, mask in events:
        if where in (lay.ro, lay.ro / "rodir"):
            ok = not mask & ~IN_READ_ONLY  # reading the read-only preopen is fine; nothing else
        elif where == lay.root:
            ok = name in ("sandbox", "ro") and not mask & ~IN_READ_ONLY  # opening the preopens
        else:
            ok = False  # outside, sandbox-sibling: not even an open
        if not ok:
            bad.append(f"{where / name}: {mask_names(mask)}")
    return bad


@pytest.mark.parametrize("section", list(SECTIONS))
def test_attacks_are_refused_and_nothing_outside_changes(section: str, tmp_path: Path, backend: Backend) -> None:
    """On the host backend, the disk outside the sandbox is watched; on the memory backend, the
    copies of the outside in the same tree are compared, and the disk must see nothing at all."""
    lay = make_layout(tmp_path)
    preopens = sandbox_preopens(lay, backend)  # the memory backend copies the layout now
    views = {p: backend.view(p) for p in (lay.outside, lay.sibling, lay.ro, lay.sandbox, tmp_path)}
    guarded = {p: views[p].snapshot() for p in (lay.outside, lay.sibling, lay.ro)}
    top_names = views[tmp_path].listdir()
    sandbox_before = views[lay.sandbox].snapshot(include_top=False)
    fds_before = host_fds()
    watch = InotifyWatch([tmp_path, lay.outside, lay.outside / "emptydir", lay.outside / "sub", lay.sibling, lay.ro])
    try:
        result = run_sandbox(section, lay, preopens)
        events = watch.events()
    finally:
        watch.close()
    stdout, stderr = result.stdout or b"", result.stderr or b""

    assert result.exit_code == 0, stderr.decode(errors="replace")
    match = re.fullmatch(rb"ok (\w+) (\d+) checks\n", stdout)
    assert match is not None, stdout
    assert match[1].decode() == section
    assert int(match[2]) >= SECTIONS[section]
    assert SECRET not in stdout + stderr
    if backend.memory:
        assert events == []  # the run never touched the disk, not even to read
    assert not forbidden_events(lay, events)
    for path, before in guarded.items():
        assert views[path].snapshot() == before, f"{path} changed"
    assert views[tmp_path].listdir() == top_names
    assert host_fds() == fds_before  # every fd of the run closed, none left pointing anywhere
    assert backend.open_descriptors() == 0

    box = views[lay.sandbox]
    after = box.snapshot(include_top=False)
    new = set(after) - set(sandbox_before)
    assert new <= ALLOWED_NEW.get(section, set())
    assert {k: v for k, v in after.items() if k in sandbox_before} == sandbox_before
    if section == "symlinks":
        # made_* are symlinks the guest made (or was refused): still symlinks, never files or dirs.
        assert all(after[name][0] == "link" for name in new)
        assert after["made_dot"][:2] == ("link", ".")
    if section == "readonly":
        assert box.read_bytes("written.txt") == b"fine\n"
    if section == "bounds":
        assert box.read_bytes("pw.txt") == b"data"
    backend.check_disk_untouched()


def test_layout_is_a_real_escape_without_the_sandbox(tmp_path: Path) -> None:
    """The planted symlinks do lead outside when the OS follows them: the attacks are real."""
    lay = make_layout(tmp_path)
    for name in ("esc", "abslink", "escdir/secret.txt", "absdir/secret.txt", "dotlink/../outside/secret.txt"):
        assert (lay.sandbox / name).read_bytes() == SECRET
    assert (lay.sandbox / "sibling").read_bytes() == SECRET
    assert (lay.sandbox / "sub/upup/outside/secret.txt").read_bytes() == SECRET
    assert (lay.sandbox / "slashlink" / "secret.txt").read_bytes() == SECRET


# --------------------------------------------------------------------------------------------------
# Hostile sizes and pointers: a clean trap (or INVAL), never a Python exception, never a big allocation.

MAX_PEAK = 16 * 1024 * 1024  # bytes Python may allocate while refusing a hostile size


@pytest.fixture
def attack_dir(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "file.txt").write_bytes(b"x")
    yield tmp_path


def call_traced(inst: WasiInstance, export: str) -> tuple[object, int]:
    """Call an export; return (result or the exception it raised, peak Python allocation)."""
    tracemalloc.start()
    try:
        try:
            outcome: object = inst.call(export)
        except Exception as exc:
            outcome = exc
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return outcome, peak


@pytest.mark.parametrize(
    "export",
    [
        "poll_out_oob",
        "random_huge",
        "random_top_bit",
        "random_wrap",
        "random_past_end",
        "path_len_huge",
        "path_len_top_bit",
        "path_ptr_oob",
        "poll_in_oob",
        "readdir_top_bit",
        "read_top_bit",
    ],
)
def test_hostile_lengths_trap_cleanly(export: str, attack_dir: Path, engine: Engine) -> None:
    fds_before = host_fds()
    config = WasiConfig(preopens=[Preopen(attack_dir, "/a")], stdin=b"", stdout=CAPTURE)
    with WasiInstance(compiled("wat/attack_huge"), config, engine=engine) as inst:
        outcome, peak = call_traced(inst, export)
    assert isinstance(outcome, GuestMemoryError), outcome
    assert not isinstance(outcome, HostError)
    assert peak < MAX_PEAK
    assert host_fds() == fds_before


@pytest.mark.parametrize("export", ["poll_2_31", "poll_ffffffff"])
def test_huge_subscription_counts_trap_or_inval(export: str, attack_dir: Path, engine: Engine) -> None:
    config = WasiConfig(preopens=[Preopen(attack_dir, "/a")], stdin=b"")
    with WasiInstance(compiled("wat/attack_huge"), config, engine=engine) as inst:
        outcome, peak = call_traced(inst, export)
    if isinstance(outcome, BaseException):
        assert isinstance(outcome, Trap) and not isinstance(outcome, HostError), repr(outcome)
    else:
        assert outcome == Errno.INVAL
    assert peak < MAX_PEAK


@pytest.mark.parametrize("export", ["random_at_end", "poll_one"])
def test_legal_edge_calls_succeed(export: str, attack_dir: Path, engine: Engine) -> None:
    config = WasiConfig(preopens=[Preopen(attack_dir, "/a")], stdin=b"")
    with WasiInstance(compiled("wat/attack_huge"), config, engine=engine) as inst:
        assert inst.call(export) == 0


def test_host_survives_the_attacks(attack_dir: Path) -> None:
    """After a run of traps, a fresh instance works normally."""
    for export in ("random_huge", "read_top_bit", "poll_out_oob"):
        with WasiInstance(compiled("wat/attack_huge"), WasiConfig(preopens=[Preopen(attack_dir)])) as inst:
            with pytest.raises(GuestMemoryError):
                inst.call(export)
    assert run_program("hello_wasi/hello_wasi").stdout == b"Hello WASI!"


# --------------------------------------------------------------------------------------------------
# Run-level hygiene: host fds closed however a run ends; instances isolated; reproducible runs.


@pytest.mark.parametrize("mode", ["return", "exit", "trap"])
def test_every_host_fd_is_closed_however_the_run_ends(mode: str, tmp_path: Path, backend: Backend) -> None:
    (tmp_path / "sub").mkdir()
    preopens, ns = [backend.preopen(tmp_path, "/sandbox")], backend.namespace()
    fds_before = host_fds()
    count_before = len(host_fds())
    if mode == "trap":
        with pytest.raises(Trap) as info:
            run_program("c/sandbox_fds", mode, namespace=ns, preopens=preopens)
        assert not isinstance(info.value, HostError), info.value
        assert "unreachable" in str(info.value)
    else:
        result = run_program("c/sandbox_fds", mode, namespace=ns, preopens=preopens)
        assert result.exit_code == (3 if mode == "exit" else 0), result.stderr
        assert result.stdout is not None and re.fullmatch(rb"ok \d+ checks holding 6 fds\n", result.stdout)
    assert len(host_fds()) == count_before
    assert host_fds() == fds_before
    assert backend.open_descriptors() == 0
    box = backend.view(tmp_path)
    for i in range(5):  # the writes of the held files reached the host
        assert box.read_bytes(f"held{i}.txt") == f"held {i}\n".encode()
    assert box.listdir() == sorted(["sub", "cycle.txt", "target.txt"] + [f"held{i}.txt" for i in range(5)])
    backend.check_disk_untouched()


def test_instances_never_see_each_others_descriptors(tmp_path: Path, engine: Engine) -> None:
    dir_a, dir_b = tmp_path / "a", tmp_path / "b"
    dir_a.mkdir()
    dir_b.mkdir()
    fds_before = host_fds()
    module = compiled("wat/attack_fd_isolation")
    a = WasiInstance(module, WasiConfig(preopens=[Preopen(dir_a, "/a")]), engine=engine)
    b = WasiInstance(module, WasiConfig(preopens=[Preopen(dir_b, "/b")]), engine=engine)
    try:
        fa = a.call("open_a")
        assert fa > 3, fa
        # b never opened fa: every use of it in b is BADF, and b's attempts leave a's fd alone.
        assert b.call("fdstat", fa) == Errno.BADF
        assert b.call("write_byte", fa, ord("X")) == Errno.BADF
        assert b.call("close", fa) == Errno.BADF
        assert a.call("fdstat", fa) == Errno.SUCCESS
        # Interleaved: both open "a.txt" in their own preopen, likely under the same number.
        fb = b.call("open_a")
        assert fb > 3, fb
        assert a.call("write_byte", fa, ord("A")) == Errno.SUCCESS
        assert b.call("write_byte", fb, ord("B")) == Errno.SUCCESS
        assert a.call("close", fa) == Errno.SUCCESS
        assert a.call("fdstat", fa) == Errno.BADF
        assert b.call("fdstat", fb) == Errno.SUCCESS
        assert b.call("write_byte", fb, ord("b")) == Errno.SUCCESS
        fa2 = a.call("open_a")
        assert fa2 > 3
    finally:
        a.close()
    # One after the other: b carries on after a is gone; a fresh instance starts with a fresh table.
    try:
        assert b.call("write_byte", fb, ord("!")) == Errno.SUCCESS
    finally:
        b.close()
    with WasiInstance(module, WasiConfig(preopens=[Preopen(dir_a, "/a")]), engine=engine) as c:
        assert c.call("fdstat", fb) == Errno.BADF
        assert c.call("fdstat", fa2) == Errno.BADF
        assert c.call("fdstat", 3) == Errno.SUCCESS
    assert (dir_a / "a.txt").read_bytes() == b"A"
    assert (dir_b / "a.txt").read_bytes() == b"Bb!"
    assert host_fds() == fds_before


# -- the configurable bounds on what a guest can make the host hold --------------------------------


def _limits_run(tmp_path: Path, limits: MemoryLimits, *args: str) -> bytes:
    result = run_program("c/limits", *args, preopens=[Preopen(tmp_path, "/d")], limits=limits)
    assert result.exit_code == 0, result.stderr
    assert result.stdout is not None
    return result.stdout


def test_open_descriptors_are_bounded_per_instance(tmp_path: Path) -> None:
    before = len(host_fds())
    # 3 stdio + 1 preopen, then 6 opens: the 7th is MFILE (33); all closed, a new open works
    out = _limits_run(tmp_path, MemoryLimits(max_fds=10), "fds")
    assert out == b"opened 6 errno 33\nreopen 0\n"
    assert len(host_fds()) == before
    assert _limits_run(tmp_path, MemoryLimits(), "fds").startswith(b"opened 1020 errno 33\n")  # default 1024


def test_poll_subscriptions_and_iovecs_are_bounded(tmp_path: Path) -> None:
    assert _limits_run(tmp_path, MemoryLimits(max_subscriptions=2), "poll", "3") == b"poll 3 errno 28 nevents 0\n"
    assert _limits_run(tmp_path, MemoryLimits(max_subscriptions=2), "poll", "2") == b"poll 2 errno 0 nevents 2\n"
    assert _limits_run(tmp_path, MemoryLimits(max_iovecs=4), "iovecs", "5") == b"\niovecs 5 errno 28\n"
    assert _limits_run(tmp_path, MemoryLimits(max_iovecs=4), "iovecs", "4") == b"xxxx\niovecs 4 errno 0\n"
