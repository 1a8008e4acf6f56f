;; grow: memory starts at 1 page (64 KiB) with no maximum. _start asks for 16384 more pages (1 GiB)
;; and exits 0 if it got them, 1 if memory.grow refused (-1). The export grow(pages) returns what
;; memory.grow returns: the old size in pages, or -1.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func $grow (export "grow") (param $pages i32) (result i32)
    (memory.grow (local.get $pages)))
  (func (export "_start")
    (call $proc_exit (i32.eq (call $grow (i32.const 16384)) (i32.const -1)))))
