;; iovs_ptr_negative: fd_write(1, iovs=0xFFFFFFF0 (i32 -16), 1, nwritten=0x20).
;; Pointers are unsigned 32-bit offsets: 0xFFFFFFF0 is far out of bounds and
;; must trap. A host that treats it as a negative (Python) index would wrap
;; around to the end of memory, where the iovec {buf=0x100, len=5} -> "oops\n"
;; is planted at 65536-16, and would print "oops\n".
;; If the host returns instead of trapping: proc_exit(errno).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0x100) "oops\n")
  ;; bait iovec { buf = 0x100, buf_len = 5 } at 65520 (= 65536 - 16)
  (data (i32.const 65520) "\00\01\00\00" "\05\00\00\00")
  (func (export "_start")
    (call $proc_exit
      (call $fd_write (i32.const 1) (i32.const -16) (i32.const 1) (i32.const 0x20)))))
