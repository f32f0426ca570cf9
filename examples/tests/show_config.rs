//! The `show_config` example prints the configuration the stack was built with.

use std::process::Command;

#[test]
fn prints_the_resolved_configuration() {
    let out = Command::new(env!("CARGO_BIN_EXE_show_config"))
        .output()
        .expect("run show_config");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8 output");
    assert!(text.starts_with("# netstack configuration from "), "{text}");
    let tcp_mss = format!("tcp_mss = {}\n", netstack::config::TCP_MSS);
    assert!(text.contains(&tcp_mss), "{text}");
    assert_eq!(
        text.lines().filter(|l| !l.starts_with('#')).count(),
        netstack::config::SUMMARY.lines().count()
    );
}
