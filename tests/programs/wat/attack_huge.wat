;; attack_huge: hostile sizes and pointers, one export per attack, each
;; returning the errno of one call (for WasiInstance.call). One page of memory;
;; fd 3 must be a preopened directory, fd 0 stdin. No _start.
;;
;; Must trap (GuestMemoryError, never a HostError), without allocating:
;;   poll_2_31        poll_oneoff(in=0x100, out=0x1000, nsubscriptions=0x80000000, 0x20)
;;                    (INVAL is also accepted for the two huge counts)
;;   poll_ffffffff    poll_oneoff(..., nsubscriptions=0xFFFFFFFF, ...)
;;   poll_out_oob     one valid subscription, events written at 0xFFF0 (32 bytes: 16 past the end)
;;   random_huge      random_get(0x100, 0xFFFFFFFF)
;;   random_top_bit   random_get(0x100, 0x80000000)
;;   random_wrap      random_get(0xFFFFFFF0, 0x20)   (wraps to 0x10 in 32 bits)
;;   random_past_end  random_get(0xFFF0, 0x11)       (one byte past the end)
;;   path_len_huge    path_open(3, 0, path=0x200, path_len=0xFFFFFFFF, ...)
;;   path_len_top_bit path_open(3, 0, path=0x200, path_len=0x80000000, ...)
;;   path_ptr_oob     path_open(3, 0, path=0xFFFFFFF8, path_len=8, ...)   (no wrap to 0)
;;   poll_in_oob      poll_oneoff(in=0xFFFF0000, out=0x1000, 1, 0x20)
;;   readdir_top_bit  fd_readdir(3, buf=0x100, buf_len=0x80000000, cookie=0, 0x20)
;;   read_top_bit     fd_read(0, iovs=0x40 {buf=0x100, len=0x80000000}, 1, 0x20)
;; Legal (errno 0):
;;   random_at_end    random_get(0xFFF0, 0x10)       (ends exactly at the end of memory)
;;   poll_one         poll_oneoff with the one subscription at 0x100 (monotonic, absolute time 0)
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get"
    (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir"
    (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; subscription at 0x100: userdata=7, tag=clock, id=monotonic, timeout=0, precision=0, flags=abstime
  (data (i32.const 0x100) "\07\00\00\00\00\00\00\00" "\00\00\00\00\00\00\00\00"
                          "\01\00\00\00\00\00\00\00" "\00\00\00\00\00\00\00\00"
                          "\00\00\00\00\00\00\00\00" "\01\00\00\00\00\00\00\00")
  ;; iovec at 0x40: buf=0x100, len=0x80000000
  (data (i32.const 0x40) "\00\01\00\00" "\00\00\00\80")
  (data (i32.const 0x200) "file.txt")
  (func (export "poll_one") (result i32)
    (call $poll_oneoff (i32.const 0x100) (i32.const 0x1000) (i32.const 1) (i32.const 0x20)))
  (func (export "poll_2_31") (result i32)
    (call $poll_oneoff (i32.const 0x100) (i32.const 0x1000) (i32.const 0x80000000) (i32.const 0x20)))
  (func (export "poll_ffffffff") (result i32)
    (call $poll_oneoff (i32.const 0x100) (i32.const 0x1000) (i32.const 0xFFFFFFFF) (i32.const 0x20)))
  (func (export "poll_out_oob") (result i32)
    (call $poll_oneoff (i32.const 0x100) (i32.const 0xFFF0) (i32.const 1) (i32.const 0x20)))
  (func (export "random_huge") (result i32)
    (call $random_get (i32.const 0x100) (i32.const 0xFFFFFFFF)))
  (func (export "random_top_bit") (result i32)
    (call $random_get (i32.const 0x100) (i32.const 0x80000000)))
  (func (export "random_wrap") (result i32)
    (call $random_get (i32.const 0xFFFFFFF0) (i32.const 0x20)))
  (func (export "random_past_end") (result i32)
    (call $random_get (i32.const 0xFFF0) (i32.const 0x11)))
  (func (export "random_at_end") (result i32)
    (call $random_get (i32.const 0xFFF0) (i32.const 0x10)))
  (func (export "path_len_huge") (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x200) (i32.const 0xFFFFFFFF)
      (i32.const 0) (i64.const 2) (i64.const 2) (i32.const 0) (i32.const 0x20)))
  (func (export "path_len_top_bit") (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 0x200) (i32.const 0x80000000)
      (i32.const 0) (i64.const 2) (i64.const 2) (i32.const 0) (i32.const 0x20)))
  (func (export "path_ptr_oob") (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 0xFFFFFFF8) (i32.const 8)
      (i32.const 0) (i64.const 2) (i64.const 2) (i32.const 0) (i32.const 0x20)))
  (func (export "poll_in_oob") (result i32)
    (call $poll_oneoff (i32.const 0xFFFF0000) (i32.const 0x1000) (i32.const 1) (i32.const 0x20)))
  (func (export "readdir_top_bit") (result i32)
    (call $fd_readdir (i32.const 3) (i32.const 0x100) (i32.const 0x80000000) (i64.const 0) (i32.const 0x20)))
  (func (export "read_top_bit") (result i32)
    (call $fd_read (i32.const 0) (i32.const 0x40) (i32.const 1) (i32.const 0x20))))
