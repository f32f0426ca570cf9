// A file that is not there (a relative path would be taken from the crate's directory).
netstack::expect_config!("/nonexistent/netstack.toml");

fn main() {}
