//! Compile-fail tests of `#[derive(Model)]`, `#[derive(Document)]` and the typed
//! expressions and indexes they generate: each case under `tests/ui/<category>/`
//! must fail with exactly the errors in its `.stderr`. Regenerate those with
//! `TRYBUILD=overwrite cargo test --test ui`, then read every diff.
//!
//! `tests/ui/pass/` holds the other side: expansions that must compile and run,
//! checked without a database.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    let mut categories: Vec<String> = std::fs::read_dir("tests/ui")
        .expect("tests/ui is readable")
        .map(|entry| entry.expect("tests/ui is readable").file_name().to_string_lossy().into_owned())
        .filter(|name| name != "pass" && !name.contains('.'))
        .collect();
    categories.sort();
    for category in categories {
        t.compile_fail(format!("tests/ui/{category}/*.rs"));
    }
    t.pass("tests/ui/pass/*.rs");
}
