;; clock_random: the exports clock(id, precision, out) and rand(buf, len) call clock_time_get and
;; random_get with exactly the arguments given and return their errno: for comparing a native fast
;; path of these two with the Python functions on the same (hostile or ordinary) arguments.
(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "clock") (param i32 i64 i32) (result i32)
    (call $clock (local.get 0) (local.get 1) (local.get 2)))
  (func (export "rand") (param i32 i32) (result i32)
    (call $random (local.get 0) (local.get 1))))
