;; oob_iovec: fd_write(1, iovs=0x10, iovs_len=1, nwritten=0x20) where the one
;; iovec says buf=0xFFF0, buf_len=0x20: the data runs 16 bytes past the end of
;; the 64 KiB memory. The host must trap (never write a partial buffer, never
;; read outside memory). If the host returns instead, _start exits with
;; proc_exit(errno) so the test can tell what happened.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; iovec { buf = 0xFFF0, buf_len = 0x20 } at 0x10 (little-endian)
  (data (i32.const 0x10) "\f0\ff\00\00" "\20\00\00\00")
  (func (export "_start")
    (call $proc_exit
      (call $fd_write (i32.const 1) (i32.const 0x10) (i32.const 1) (i32.const 0x20)))))
