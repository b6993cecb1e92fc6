//! The library's attachment API, checked at compile time: a read-only
//! attachment cannot write, and nothing hands out a reference into memory
//! that other processes write. Each failing case is pinned to its expected
//! compiler error (tests/ui/*.stderr), so an unrelated error cannot pass.

#[test]
fn attachment_api_compiles_where_it_should_and_only_there() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/copies_compile.rs");
    t.compile_fail("tests/ui/read_only_cannot_write.rs");
    t.compile_fail("tests/ui/no_reference_into_the_segment.rs");
}
