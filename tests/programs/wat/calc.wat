;; calc: exports with typed parameters and results, for `pywasihost run --invoke NAME ARGS...`.
;;   add   (i32, i32) -> i32        a + b
;;   scale (f64, f32) -> f64        x * factor
;;   split (i64) -> (i32, i64)      the low 32 bits and the value shifted right by 32 (signed)
;;   nothing () -> ()
(module
  (memory (export "memory") 1)
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "scale") (param f64 f32) (result f64)
    (f64.mul (local.get 0) (f64.promote_f32 (local.get 1))))
  (func (export "split") (param i64) (result i32 i64)
    (i32.wrap_i64 (local.get 0))
    (i64.shr_s (local.get 0) (i64.const 32)))
  (func (export "nothing")))
