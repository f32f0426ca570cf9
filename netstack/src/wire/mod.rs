//! Wire formats: zero-copy views over packet bytes and the `Repr` structs they parse into.
