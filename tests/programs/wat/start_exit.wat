;; start_exit: the start function calls proc_exit(5): the run ends there with exit code 5, and
;; _start (which would write "not reached\n") never runs. No export section of its own but _start.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "not reached\n")
  (func $init (call $proc_exit (i32.const 5)))
  (start $init)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 32))
    (i32.store (i32.const 4) (i32.const 12))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
