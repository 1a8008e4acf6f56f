;; simd_final: uses i64x2.extend_low_i32x4_u, a SIMD opcode of the final proposal that wasmer 1.1
;; rejects ("proposed simd operator"); wasmtime compiles it. _start writes "simd 7\n".
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "simd ?\n")
  (func (export "_start")
    ;; the low lane of extend_low_u([7, 0, 0, 0]) is 7: written as the digit
    (i32.store8 (i32.const 69)
      (i32.add (i32.const 48)
        (i32.wrap_i64 (i64x2.extract_lane 0 (i64x2.extend_low_i32x4_u (i32x4.splat (i32.const 7)))))))
    (i32.store (i32.const 16) (i32.const 64))
    (i32.store (i32.const 20) (i32.const 7))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32)))))
