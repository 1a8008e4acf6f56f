;; two_entries: a module with two exports, for `pywasihost run --invoke`.
;;   _start  writes "start\n" to stdout
;;   greet   writes "greet\n" to stdout, then proc_exit(7)
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "start\n")
  (data (i32.const 80) "greet\n")
  (func $say (param $text i32)
    (i32.store (i32.const 16) (local.get $text))
    (i32.store (i32.const 20) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32))))
  (func (export "_start") (call $say (i32.const 64)))
  (func (export "greet") (call $say (i32.const 80)) (call $proc_exit (i32.const 7))))
