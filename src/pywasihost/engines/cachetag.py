"""What every engine's ``cache_tag`` is made of besides its own options: the installed version of a
distribution, and the host CPU (both engines compile for the features of the CPU they run on)."""

from __future__ import annotations

import os

__all__ = ["distribution_version", "host_cpu"]


def distribution_version(package_file: str, distribution: str) -> str:
    """The version in the ``*.dist-info`` name next to the package of ``package_file``
    (importlib.metadata costs ~10 ms of imports at start-up); "unknown" when there is none."""
    site = os.path.dirname(os.path.dirname(os.path.realpath(package_file)))
    for name in os.listdir(site):
        if name.startswith(f"{distribution}-") and name.endswith(".dist-info"):
            return name[len(distribution) + 1 : -len(".dist-info")]
    return "unknown"


def host_cpu() -> str:
    """The machine and a digest of its CPU feature flags."""
    import hashlib

    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith(("flags", "Features"))), "")
    except OSError:  # not Linux: the machine name alone
        pass
    return f"{os.uname().machine} cpu-flags:{hashlib.sha256(flags.encode()).hexdigest()[:16]}"
