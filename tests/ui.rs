//! Compile-fail tests of `#[derive(Model)]`, `#[derive(Document)]` and the typed
//! expressions and indexes they generate: each case under `tests/ui/` must fail
//! with exactly the errors in its `.stderr`. Regenerate those with
//! `TRYBUILD=overwrite cargo test --test ui`, then read every diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
}
