;; huge_len: fd_write(1, iovs=0x10, iovs_len=0x80000001, nwritten=0x20).
;; An iovec count with the top bit set: 0x80000001 * 8 bytes is far beyond the
;; 64 KiB memory, so the host must trap. (Computed in 32 bits,
;; 0x80000001 * 8 wraps to 8 -- one valid iovec {buf=0x100, len=5} -> "oops\n"
;; -- and a buggy host would print "oops\n"; read as i32 it is negative.)
;; If the host returns instead of trapping: proc_exit(errno).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0x10) "\00\01\00\00" "\05\00\00\00")
  (data (i32.const 0x100) "oops\n")
  (func (export "_start")
    (call $proc_exit
      (call $fd_write (i32.const 1) (i32.const 0x10) (i32.const 0x80000001) (i32.const 0x20)))))
