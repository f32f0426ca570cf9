//! Prints the netstack configuration this product was built with: where it came from and
//! every resolved option, as a product would log it at start-up.
fn main() {
    println!("# netstack configuration from {}", netstack::config::SOURCE);
    print!("{}", netstack::config::SUMMARY);
}
