;; start_write: the module's start function (start section) writes "from start\n" to stdout, then
;; _start writes "from _start\n". The host must bind memory before the start function runs.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 32) "from start\n")
  (data (i32.const 64) "from _start\n")
  (func $write (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $init (call $write (i32.const 32) (i32.const 11)))
  (start $init)
  (func (export "_start") (call $write (i32.const 64) (i32.const 12))))
