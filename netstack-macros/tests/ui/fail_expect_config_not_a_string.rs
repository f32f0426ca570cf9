netstack::expect_config!(netstack.toml);

fn main() {}
