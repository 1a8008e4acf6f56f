;; spin: _start loops forever without a single system call: only an engine that interrupts wasm code
;; (wasmtime's epochs) can stop it.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $forever (br $forever))))
