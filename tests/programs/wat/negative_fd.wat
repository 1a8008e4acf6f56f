;; negative_fd: fd_write(fd=0xFFFFFFFF (i32 -1), valid iovec -> "nope\n", 1,
;; nwritten=0x20), then proc_exit(returned errno). fd is an unsigned u32;
;; there is no fd 4294967295 (and -1 must not mean "the last fd" either).
;; Expected: no output, exit code 8 (BADF).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; iovec { buf = 0x100, buf_len = 5 } at 0x10
  (data (i32.const 0x10) "\00\01\00\00" "\05\00\00\00")
  (data (i32.const 0x100) "nope\n")
  (func (export "_start")
    (call $proc_exit
      (call $fd_write (i32.const -1) (i32.const 0x10) (i32.const 1) (i32.const 0x20)))))
