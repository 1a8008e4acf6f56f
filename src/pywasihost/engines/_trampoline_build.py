"""Build script (cffi, API mode) of the wasmtime engine's C trampoline: ``setup.py`` compiles it into
``pywasihost.engines._trampoline`` when a C compiler is there; without one, the wasmtime engine uses
its ctypes callback instead (``pywasihost inspect`` says which).

Why C: wasmtime calls a raw host function with the arguments in an array of 16-byte value slots.
Through a ctypes callback, reading them costs a ctypes object per call (about 0.6 us in all); this
trampoline reads the slots in C and calls the Python function through a cffi ``extern "Python"``
callback with plain int arguments, then writes the result back. It serves every signature whose
parameters are i32/i64 (at most ``MAX_PARAMS``) and whose result is none or one i32: all of
preview 1. Other signatures (floats, i64 or several results) keep the ctypes path.

The slot layout is ``wasmtime_val_raw_t`` of wasmtime's C API (``wasmtime/val.h``): little-endian,
an i32 in the first 4 bytes, an i64 in the first 8.
"""

from __future__ import annotations

import cffi

MAX_PARAMS = 10


def _prototype(n: int, prefix: str) -> str:
    """The declaration of the ``extern "Python"`` function taking ``n`` int64 arguments."""
    args = "".join(", int64_t" for _ in range(n))
    return f"{prefix}int64_t pywasihost_call{n}(intptr_t, int *{args});"


def _case(n: int) -> str:
    args = "".join(f", a[{i}]" for i in range(n))
    return f"        case {n}: result = pywasihost_call{n}(id, &failed{args}); break;"


_CALLS = "\n".join(_prototype(n, 'extern "Python" ') for n in range(MAX_PARAMS + 1))
_STATIC_CALLS = "\n".join(_prototype(n, "static ") for n in range(MAX_PARAMS + 1))
_CASES = "\n".join(_case(n) for n in range(MAX_PARAMS + 1))

CDEF = f"""
typedef struct {{
    int32_t nparams;
    int32_t has_result;
    char params[{MAX_PARAMS}];  /* 'i': i32, 'I': i64 */
}} pywasihost_signature;

{_CALLS}

void *pywasihost_trampoline(void *env, void *caller, void *values, size_t count);
void pywasihost_set_trap_new(void *trap_new);
"""

SOURCE = f"""
#include <stdint.h>
#include <string.h>

typedef struct {{
    int32_t nparams;
    int32_t has_result;
    char params[{MAX_PARAMS}];
}} pywasihost_signature;

{_STATIC_CALLS}

static void *(*trap_new)(const char *, size_t) = 0;

void pywasihost_set_trap_new(void *f) {{ trap_new = (void *(*)(const char *, size_t))f; }}

/* env: the function's pywasihost_signature, whose address is also its key on the Python side. */
void *pywasihost_trampoline(void *env, void *caller, void *values, size_t count) {{
    const pywasihost_signature *sig = (const pywasihost_signature *)env;
    unsigned char *slot = (unsigned char *)values;
    int64_t a[{MAX_PARAMS}];
    int failed = 0;
    int64_t result = 0;
    intptr_t id = (intptr_t)env;
    for (int i = 0; i < sig->nparams; i++) {{
        if (sig->params[i] == 'i') {{
            int32_t v;
            memcpy(&v, slot + 16 * i, 4);
            a[i] = v;
        }} else {{
            memcpy(&a[i], slot + 16 * i, 8);
        }}
    }}
    switch (sig->nparams) {{
{_CASES}
        default: failed = 1;
    }}
    if (failed) {{
        static const char message[] = "host function raised an exception";
        return trap_new(message, sizeof message - 1);
    }}
    if (sig->has_result) {{
        int32_t r = (int32_t)(uint32_t)(uint64_t)result;
        memcpy(slot, &r, 4);
    }}
    return 0;
}}
"""

ffibuilder = cffi.FFI()
ffibuilder.cdef(CDEF)
ffibuilder.set_source("pywasihost.engines._trampoline", SOURCE)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
