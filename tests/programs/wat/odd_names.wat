;; odd_names: imports and exports whose names are not Python identifiers, as wit-bindgen and
;; other binding generators write them (CRuby's ruby.wasm imports `canonical_abi.resource_drop_js-abi-value`
;; and exports `ruby-init: func(args: list<string>) -> ()`).
;;   run (i32) -> i32     calls every import: returns next-id(x) + class(x) + 2 * x, and drops x
(module
  (import "canonical_abi" "resource_drop_js-abi-value" (func $drop (param i32)))
  (import "my-host" "next-id: func(x: u32) -> u32" (func $next_id (param i32) (result i32)))
  (import "env" "class" (func $class (param i32) (result i32)))
  (import "env" "2fa" (func $twofa (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "run: func(x: u32) -> u32") (param i32) (result i32)
    (call $drop (local.get 0))
    (i32.add
      (i32.add (call $next_id (local.get 0)) (call $class (local.get 0)))
      (call $twofa (local.get 0)))))
