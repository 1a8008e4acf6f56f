"""Build script (cffi, API mode) of the wasmtime engine's C trampoline: ``setup.py`` compiles it into
``pywasihost.engines._trampoline`` when a C compiler is there; without one, the wasmtime engine uses
its ctypes callback instead (``pywasihost inspect`` says which).

Why C: wasmtime calls a raw host function with the arguments in an array of 16-byte value slots.
Through a ctypes callback, reading them costs a ctypes object per call (about 0.6 us in all); this
trampoline reads the slots in C and calls the Python function through a cffi ``extern "Python"``
callback with plain int arguments, then writes the result back. It serves every signature whose
parameters are i32/i64 (at most ``MAX_PARAMS``) and whose result is none or one i32: all of
preview 1. Other signatures (floats, i64 or several results) keep the ctypes path.

Native fast paths: for ``clock_time_get``, ``random_get``, ``fd_write`` and ``fd_read``, when the
instance layer allows it (the built-in function, system clocks and randomness, no trace, no
timeout), the trampoline answers in C without calling Python: it reads the clock, fills the buffer,
or does the ``writev``/``readv`` straight between guest memory and the host fd. It handles only the
ordinary case: a clock id it does not know, a descriptor the table does not list as direct (see
``pywasihost.fdtable.DirectDescriptors``: only plain host fds with the right), more than
``NATIVE_IOVECS`` buffers or more than ``max_io_bytes`` in all, a pointer outside memory, a memory
not known yet (a start function) or a failing system call go to the Python function, the reference,
which gives the errno or the trap. So a hostile guest meets exactly the Python behaviour. A failed
``writev`` is tried again by the Python function: a write that fails writes nothing.

The same native calls serve the wasmer engine through ``pywasihost_native``, a plain C function
that the wasmer adapter calls from a small Python shim (wasmer 1.1 can only call Python): it gets the
memory's base and size from a ``pywasihost_memory`` the shim keeps current, and answers -1 for "ask
the Python function".

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

NATIVE = {"clock_time_get": 1, "random_get": 2, "fd_write": 3, "fd_read": 4}
NATIVE_IOVECS = 64
"""The most iovecs a native fd_write/fd_read takes (more go to the Python function)."""
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
    void *fds;                  /* fd_write/fd_read: the instance's DirectDescriptors */
}} pywasihost_signature;

typedef struct {{
    uint8_t *base;              /* wasmer: the memory's base address and size, as last seen */
    uint64_t size;
    void *fds;
}} pywasihost_memory;
"""

_DIRECT = """
#define DIRECT_SLOTS 64
typedef struct {
    int32_t write[DIRECT_SLOTS];
    int32_t read[DIRECT_SLOTS];
    uint64_t max_io_bytes;
} direct_descriptors;  /* pywasihost.fdtable.DirectDescriptors */
"""

CDEF = f"""
{_STRUCT}
{_CALLS}

void *pywasihost_trampoline(void *env, void *caller, void *values, size_t count);
void pywasihost_set_trap_new(void *trap_new);
void pywasihost_callback_failed(void);
void pywasihost_set_memory_api(void *memory_data, void *memory_data_size);
int32_t pywasihost_native(int32_t native, pywasihost_memory *memory, int64_t a0, int64_t a1, int64_t a2, int64_t a3);
"""

SOURCE = f"""
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <time.h>

{_STRUCT}
{_DIRECT}

{_STATIC_CALLS}

static void *(*trap_new)(const char *, size_t) = 0;

/* Set by the extern "Python" callbacks' onerror handler: an exception raised before the Python
   function could catch it (a signal handler's KeyboardInterrupt at its first instruction). Per
   thread: each thread's guest calls come back on that thread. */
static __thread int callback_failed = 0;

void pywasihost_callback_failed(void) {{ callback_failed = 1; }}

void pywasihost_set_trap_new(void *f) {{ trap_new = (void *(*)(const char *, size_t))f; }}

static uint8_t *(*memory_data)(void *, const void *) = 0;
static size_t (*memory_data_size)(void *, const void *) = 0;

void pywasihost_set_memory_api(void *data, void *size) {{
    memory_data = (uint8_t *(*)(void *, const void *))data;
    memory_data_size = (size_t (*)(void *, const void *))size;
}}

/* The ordinary case of a native syscall: 1 with the errno in *result, or 0 when the Python function
   must answer (anything unusual: it is the reference, with its errnos and traps). */
static int native_call(int32_t native, uint8_t *base, uint64_t size, const direct_descriptors *fds,
                       const int64_t *a, int32_t *result) {{
    static const clockid_t clocks[4] = {{CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                        CLOCK_THREAD_CPUTIME_ID}};
    if (native == 1) {{  /* clock_time_get(id, precision, out) */
        uint32_t id = (uint32_t)a[0];
        uint64_t out = (uint32_t)a[2];
        struct timespec ts;
        if (id > 3 || out + 8 > size || clock_gettime(clocks[id], &ts) != 0) return 0;
        uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
        memcpy(base + out, &ns, 8);
        *result = 0;
        return 1;
    }}
    if (native == 2) {{  /* random_get(buf, len) */
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
    if (native == 3 || native == 4) {{  /* fd_write / fd_read(fd, iovs, iovs_len, out) */
        uint64_t fd = (uint32_t)a[0], iovs = (uint32_t)a[1], count = (uint32_t)a[2], out = (uint32_t)a[3];
        if (fds == 0 || fd >= DIRECT_SLOTS || count == 0 || count > {NATIVE_IOVECS}) return 0;
        int host = native == 3 ? fds->write[fd] : fds->read[fd];
        if (host < 0 || iovs + 8 * count > size || out + 4 > size) return 0;
        struct iovec v[{NATIVE_IOVECS}];
        uint64_t total = 0;
        for (uint64_t i = 0; i < count; i++) {{
            uint32_t entry[2];  /* (buf, buf_len), little-endian as wasm32 is */
            memcpy(entry, base + iovs + 8 * i, 8);
            if ((uint64_t)entry[0] + entry[1] > size) return 0;
            v[i].iov_base = base + entry[0];
            v[i].iov_len = entry[1];
            total += entry[1];
        }}
        if (total > fds->max_io_bytes) return 0;  /* the Python function cuts it short */
        ssize_t n = native == 3 ? writev(host, v, (int)count) : readv(host, v, (int)count);
        if (n < 0) return 0;
        uint32_t done = (uint32_t)n;
        memcpy(base + out, &done, 4);
        *result = 0;
        return 1;
    }}
    return 0;
}}

int32_t pywasihost_native(int32_t native, pywasihost_memory *memory, int64_t a0, int64_t a1, int64_t a2,
                          int64_t a3) {{
    const int64_t a[4] = {{a0, a1, a2, a3}};
    int32_t result;
    if (!native_call(native, memory->base, memory->size, (const direct_descriptors *)memory->fds, a, &result))
        return -1;
    return result;
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
    if (sig->native && sig->has_memory) {{
        int32_t native_result;
        uint8_t *base = memory_data(sig->context, sig->memory);
        uint64_t size = memory_data_size(sig->context, sig->memory);
        if (native_call(sig->native, base, size, (const direct_descriptors *)sig->fds, a, &native_result)) {{
            memcpy(slot, &native_result, 4);
            return 0;
        }}
    }}
    switch (sig->nparams) {{
{_CASES}
        default: failed = 1;
    }}
    if (failed || callback_failed) {{
        static const char message[] = "host function raised an exception";
        callback_failed = 0;
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
