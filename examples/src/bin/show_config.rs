//! Prints the netstack configuration this product was built with.
fn main() {}
