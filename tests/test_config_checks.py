"""WasiConfig fails at construction, with one clear message for each mistake; str paths work."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

import pywasihost
from conftest import run_program
from pywasihost import CAPTURE, NULL, WasiConfig


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"stdout": sys.stdout}, TypeError, r"stdout=.* is a text stream; .*sys\.stdout\.buffer.*INHERIT"),
        ({"stderr": io.StringIO()}, TypeError, r"stderr=.* is a text stream"),
        ({"stdin": io.StringIO("x")}, TypeError, r"stdin=.* is a text stream"),
        ({"stdin": "text"}, ValueError, r"stdin='text': a str is a file's path, .*pass bytes: stdin=b'text'"),
        ({"stdin": CAPTURE}, ValueError, r"stdin=CAPTURE: only output can be captured"),
        ({"stdin": 1.5}, TypeError, r"stdin=1\.5: expected INHERIT, NULL, bytes"),
        ({"stdout": object()}, TypeError, r"stdout=<object .*>: expected INHERIT, CAPTURE, NULL"),
        ({"args": "tool"}, TypeError, r"args='tool': args is a list of strings \(args=\['tool', \.\.\.\]\)"),
        ({"args": ["tool", 5]}, TypeError, r"args\[1\]=5: every argument is a str, not int"),
        ({"env": {"K": 1}}, TypeError, r"env\['K'\]=1: environment names and values are str"),
        ({"preopens": ["/tmp"]}, TypeError, r"preopens: '/tmp' is not a Preopen"),
    ],
)
def test_a_bad_field_fails_at_construction(fields: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        WasiConfig(**fields)  # type: ignore[arg-type]


def test_a_field_changed_after_construction_is_checked_when_an_instance_is_made() -> None:
    config = WasiConfig()
    config.args = "tool"
    with pytest.raises(TypeError, match="args is a list of strings"):
        pywasihost.WasiContext(config)


def test_str_paths_work_wherever_a_path_does(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_bytes(b"from a str path\n")
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    result = run_program("c/stdio", stdin=str(source), stdout=str(out), stderr=str(err))
    assert result.exit_code == 0 and result.stdout is None
    assert out.read_bytes().startswith(b"FROM A STR PATH\n") and err.read_bytes() == b"err:16\n"


def test_null_is_exported_beside_capture_and_inherit() -> None:
    assert NULL is pywasihost.Stdio.NULL and "NULL" in pywasihost.__all__
    result = run_program("c/stdio", stdin=NULL, stdout=NULL, stderr=CAPTURE)
    assert (result.exit_code, result.stdout, result.stderr) == (0, None, b"err:0\n")
