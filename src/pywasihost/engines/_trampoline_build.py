"""Build script (cffi, API mode) of the wasmtime engine's C trampoline: ``setup.py`` compiles it into
``pywasihost.engines._trampoline`` when a C compiler is there; without one, the wasmtime engine uses
its ctypes callback instead (``pywasihost inspect`` says which).

Why C: wasmtime calls a raw host function with the arguments in an array of 16-byte value slots.
Through a ctypes callback, reading them costs a ctypes object per call (about 0.6 us in all); this
trampoline reads the slots in C and calls the Python function through a cffi ``extern "Python"``
callback with plain int arguments, then writes the result back. It serves every signature whose
parameters are i32/i64 (at most ``MAX_PARAMS``) and whose result is none or one i32: all of
preview 1. Other signatures (floats, i64 or several results) keep the ctypes path.

Native fast paths: for ``clock_time_get`` and ``random_get``, when the instance layer allows it (the
built-in function, system clocks and randomness, no trace), the trampoline answers in C without
calling Python: it reads the clock or fills the buffer straight into guest memory. It handles only
the ordinary case: a clock id it does not know, a pointer outside memory, a memory not known yet
(a start function) or a failing system call go to the Python function, the reference, which gives
the errno or the trap. So a hostile guest meets exactly the Python behaviour.

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

NATIVE = {"clock_time_get": 1, "random_get": 2}
"""The native fast paths, by syscall name: the value of ``pywasihost_signature.native``."""

_STRUCT = f"""
typedef struct {{
    int32_t nparams;
    int32_t has_result;
    char params[{MAX_PARAMS}];  /* 'i': i32, 'I': i64 */
    int32_t native;             /* 0, or a value of NATIVE */
    int32_t has_memory;         /* set once the instance's memory is known */
    void *context;              /* wasmtime_context_t* of the store */
    unsigned char memory[32];   /* the instance's wasmtime_memory_t */
}} pywasihost_signature;
"""

CDEF = f"""
{_STRUCT}
{_CALLS}

void *pywasihost_trampoline(void *env, void *caller, void *values, size_t count);
void pywasihost_set_trap_new(void *trap_new);
void pywasihost_set_memory_api(void *memory_data, void *memory_data_size);
"""

SOURCE = f"""
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

{_STRUCT}

{_STATIC_CALLS}

static void *(*trap_new)(const char *, size_t) = 0;

void pywasihost_set_trap_new(void *f) {{ trap_new = (void *(*)(const char *, size_t))f; }}

static uint8_t *(*memory_data)(void *, const void *) = 0;
static size_t (*memory_data_size)(void *, const void *) = 0;

void pywasihost_set_memory_api(void *data, void *size) {{
    memory_data = (uint8_t *(*)(void *, const void *))data;
    memory_data_size = (size_t (*)(void *, const void *))size;
}}

/* The ordinary case of a native syscall: 1 with the errno in *result, or 0 when the Python function
   must answer (anything unusual: it is the reference, with its errnos and traps). */
static int native_call(const pywasihost_signature *sig, const int64_t *a, int32_t *result) {{
    static const clockid_t clocks[4] = {{CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                        CLOCK_THREAD_CPUTIME_ID}};
    if (!sig->has_memory) return 0;
    uint8_t *base = memory_data(sig->context, sig->memory);
    uint64_t size = memory_data_size(sig->context, sig->memory);
    if (sig->native == 1) {{  /* clock_time_get(id, precision, out) */
        uint32_t id = (uint32_t)a[0];
        uint64_t out = (uint32_t)a[2];
        struct timespec ts;
        if (id > 3 || out + 8 > size || clock_gettime(clocks[id], &ts) != 0) return 0;
        uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
        memcpy(base + out, &ns, 8);
        *result = 0;
        return 1;
    }}
    if (sig->native == 2) {{  /* random_get(buf, len) */
        uint64_t buf = (uint32_t)a[0], len = (uint32_t)a[1], done = 0;
        if (buf + len > size) return 0;
        while (done < len) {{
            ssize_t n = getrandom(base + buf + done, len - done, 0);
            if (n < 0) {{
                if (errno == EINTR) continue;
                return 0;
            }}
            done += (uint64_t)n;
        }}
        *result = 0;
        return 1;
    }}
    return 0;
}}

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
    if (sig->native) {{
        int32_t native_result;
        if (native_call(sig, a, &native_result)) {{
            memcpy(slot, &native_result, 4);
            return 0;
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
