;; alias_iovecs: one fd_write to stdout of 1024 iovecs that all point at the same 1 MiB (memory is
;; 2 MiB), then a write of the u32 nwritten it got (4 raw bytes) to stderr. The host handles at most
;; max_io_bytes in one call (a short write), so it never holds 1 GiB for a copying sink (CAPTURE).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 32)
  (func (export "_start")
    (local $i i32)
    ;; iovecs at 0x100000 (1024 * 8 bytes), each {buf = 0, len = 0x100000}
    (loop $fill
      (i32.store (i32.add (i32.const 0x100000) (i32.shl (local.get $i) (i32.const 3))) (i32.const 0))
      (i32.store (i32.add (i32.const 0x100004) (i32.shl (local.get $i) (i32.const 3))) (i32.const 0x100000))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 1024))))
    (drop (call $fd_write (i32.const 1) (i32.const 0x100000) (i32.const 1024) (i32.const 0x102000)))
    ;; stderr: the 4 bytes of nwritten
    (i32.store (i32.const 0x102010) (i32.const 0x102000))
    (i32.store (i32.const 0x102014) (i32.const 4))
    (drop (call $fd_write (i32.const 2) (i32.const 0x102010) (i32.const 1) (i32.const 0x102020)))))
