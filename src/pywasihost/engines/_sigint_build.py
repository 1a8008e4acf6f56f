"""Build script (cffi, API mode) of ``pywasihost.engines._sigint``: a C-level SIGINT handler that
writes one line on stderr and ends the process with exit code 130. ``setup.py`` compiles it where a
C compiler is there.

Why C: an engine that holds the GIL while wasm runs (wasmer 1.1) leaves Python no moment to run a
Python signal handler while a guest spins in pure wasm, so a Ctrl-C would wait forever. The command
line arms this handler for the length of a run on such an engine (:mod:`pywasihost.engines.sigexit`).
It does only what is safe in a signal handler (``write``, ``_exit``); the guest's output went to
the process's own file descriptors as it was written, so nothing is lost.
"""

from __future__ import annotations

import cffi

CDEF = """
int pywasihost_exit_on_sigint(const char *message, size_t length);
int pywasihost_restore_sigint(void);
"""

SOURCE = """
#include <signal.h>
#include <string.h>
#include <unistd.h>

static char message[1024];
static size_t message_length;
static struct sigaction previous;
static int armed;

static void exit_130(int signum) {
    (void)signum;
    if (message_length > 0) {
        ssize_t ignored = write(2, message, message_length);
        (void)ignored;
    }
    _exit(130);
}

int pywasihost_exit_on_sigint(const char *text, size_t length) {
    struct sigaction action;
    if (armed) return -1;
    if (length > sizeof message) length = sizeof message;
    memcpy(message, text, length);
    message_length = length;
    memset(&action, 0, sizeof action);
    action.sa_handler = exit_130;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGINT, &action, &previous) != 0) return -1;
    armed = 1;
    return 0;
}

int pywasihost_restore_sigint(void) {
    if (!armed) return 0;
    armed = 0;
    return sigaction(SIGINT, &previous, NULL);
}
"""

ffibuilder = cffi.FFI()
ffibuilder.cdef(CDEF)
ffibuilder.set_source("pywasihost.engines._sigint", SOURCE)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
