//! Compile-time behaviour of the hook macros: what compiles, and the exact errors for the
//! mistakes they catch (`tests/ui/*.stderr`; regenerate with `TRYBUILD=overwrite` and review).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass_*.rs");
    t.compile_fail("tests/ui/fail_*.rs");
}
