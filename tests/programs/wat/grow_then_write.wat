;; grow_then_write: memory starts at 1 page; _start grows it by 1 page, then
;; writes from the new page only: "grown\n" at 65536+100, its iovec at
;; 65536+16, nwritten at 65536+32. A host that cached a view/length of memory
;; from before the grow would wrongly trap or fail here.
;; Expected stdout: "grown\n"; exit: proc_exit(fd_write's errno) = 0.
;; (If memory.grow fails, proc_exit(99).)
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; memory.grow returns the old size in pages (1), or -1 on failure
    (if (i32.ne (memory.grow (i32.const 1)) (i32.const 1))
      (then (call $proc_exit (i32.const 99))))
    ;; "grown\n" at 65636
    (i32.store8 (i32.const 65636) (i32.const 0x67)) ;; g
    (i32.store8 (i32.const 65637) (i32.const 0x72)) ;; r
    (i32.store8 (i32.const 65638) (i32.const 0x6f)) ;; o
    (i32.store8 (i32.const 65639) (i32.const 0x77)) ;; w
    (i32.store8 (i32.const 65640) (i32.const 0x6e)) ;; n
    (i32.store8 (i32.const 65641) (i32.const 0x0a)) ;; \n
    ;; iovec { buf = 65636, buf_len = 6 } at 65552
    (i32.store (i32.const 65552) (i32.const 65636))
    (i32.store (i32.const 65556) (i32.const 6))
    (call $proc_exit
      (call $fd_write (i32.const 1) (i32.const 65552) (i32.const 1) (i32.const 65568)))))
