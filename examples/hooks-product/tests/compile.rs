//! What the product's configuration enforces at compile time (`tests/ui/*.stderr`;
//! regenerate with `TRYBUILD=overwrite` and review).

#[test]
fn configuration_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
