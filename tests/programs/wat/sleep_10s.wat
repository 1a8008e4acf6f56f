;; sleep_10s: writes "sleeping\n" to stdout, then waits 10 s in poll_oneoff (one relative MONOTONIC
;; clock subscription): something to interrupt.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "sleeping\n")
  (func (export "_start")
    (i32.store (i32.const 16) (i32.const 64))
    (i32.store (i32.const 20) (i32.const 9))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32)))
    (i64.store (i32.const 0x100) (i64.const 1))                 ;; userdata
    (i32.store8 (i32.const 0x108) (i32.const 0))                ;; tag: clock
    (i32.store (i32.const 0x110) (i32.const 1))                 ;; MONOTONIC
    (i64.store (i32.const 0x118) (i64.const 10000000000))       ;; 10 s, relative
    (drop (call $poll (i32.const 0x100) (i32.const 0x200) (i32.const 1) (i32.const 0x300)))))
