;; iovec_at_end: a legal edge case. The one iovec covers exactly the last 6
;; bytes of the 64 KiB memory (buf=65530, buf_len=6, holding "edge!\n").
;; Expected stdout: "edge!\n"; exit code: fd_write's errno, i.e. 0 through
;; proc_exit(0).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; iovec { buf = 65530 (0xFFFA), buf_len = 6 } at 0x10
  (data (i32.const 0x10) "\fa\ff\00\00" "\06\00\00\00")
  (data (i32.const 65530) "edge!\n")
  (func (export "_start")
    (call $proc_exit
      (call $fd_write (i32.const 1) (i32.const 0x10) (i32.const 1) (i32.const 0x20)))))
