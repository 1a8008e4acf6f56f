;; host_types: every core value type through a host function and back. run(a, b, c, d) passes its
;; arguments to env.mix (i32 i64 f32 f64) -> (f64 i64), then hands env.note the i32, and returns
;; mix's two results.
(module
  (import "env" "mix" (func $mix (param i32 i64 f32 f64) (result f64 i64)))
  (import "env" "note" (func $note (param i32)))
  (memory (export "memory") 1)
  (func (export "run") (param i32 i64 f32 f64) (result f64 i64)
    (call $note (local.get 0))
    (call $mix (local.get 0) (local.get 1) (local.get 2) (local.get 3))))
