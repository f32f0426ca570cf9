//! The VLAN tagging hook in the interop lab (as root): a stack whose `vlan_set` hook is
//! `VlanTagger` sends UDP over a TAP, and Linux's capture of that TAP sees every frame
//! carrying VLAN id 100 with the datagram inside, well formed. (This machine's kernel has no
//! 802.1Q link type, so Linux checks the tag on the wire rather than on a VLAN interface.)

use std::net::IpAddr;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use netstack::phy::TapDevice;
use netstack::time::{Duration, Instant};
use netstack::wire::{EthernetAddress, IpEndpoint, Ipv4Cidr};
use netstack::{NetifConfig, StackConfig};
use netstack_hooks::vlan::{VlanTagger, tag};
use netstack_lab::{Lab, check_capture, plan};

netstack::hooks! {
    /// Tags every frame the stack sends.
    struct TaggingHooks {
        tagger: VlanTagger,
    }
    vlan_set => self.tagger,
}

/// The values of `field` in the frames of `capture` that match `filter`.
fn tshark_fields(capture: &Path, filter: &str, field: &str) -> Vec<String> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(capture)
        .args(["-Y", filter, "-T", "fields", "-e", field])
        .output()
        .expect("run tshark");
    assert!(out.status.success(), "tshark: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_owned())
        .collect()
}

#[test]
fn linux_sees_the_vlan_tag_on_every_frame_the_stack_sends() {
    let (lab, tap) = Lab::with_tap(TapDevice::open);
    let capture = lab.start_capture("vlan");
    let tap = Arc::new(Mutex::new(tap));
    let mut stack = netstack::Stack::with_hooks(
        StackConfig { random_seed: 1 },
        TaggingHooks {
            tagger: VlanTagger::all(tag(100)),
        },
    );
    let netif = stack
        .add_netif(
            NetifConfig::new("tap")
                .with_mac(EthernetAddress(plan::STACK_MAC))
                .with_ipv4(Ipv4Cidr::new(plan::STACK_ADDR, plan::PREFIX_LEN).expect("cidr")),
            Box::new(tap.clone()),
        )
        .expect("add netif");
    // Linux cannot answer a tagged ARP request here, so the stack is told its address.
    stack
        .arp_add_static(netif, plan::LINUX_ADDR, EthernetAddress(lab.linux_mac()))
        .expect("static ARP entry");
    let udp = stack.udp_open().expect("udp");
    let to = IpEndpoint::new(IpAddr::V4(plan::LINUX_ADDR), 9);
    let start = std::time::Instant::now();
    let clock = || Instant::from_millis(start.elapsed().as_millis() as u64);
    for i in 0..5u8 {
        stack.poll(clock());
        stack.udp_send_to(udp, &[b'v', i], to).expect("send");
        stack.poll(clock());
        tap.lock()
            .expect("device lock")
            .wait_readable(Some(Duration::from_millis(20)))
            .expect("wait on the TAP");
    }
    let path = capture.stop();
    check_capture(&path).expect("a well-formed capture");
    let tagged = tshark_fields(
        &path,
        "vlan.id == 100 && udp.dstport == 9 && ip.dst == 192.0.2.1",
        "vlan.id",
    );
    assert_eq!(tagged, vec!["100"; 5], "tagged UDP frames Linux saw");
    let untagged = tshark_fields(
        &path,
        "eth.src == 02:00:00:00:00:02 && !vlan",
        "frame.number",
    );
    assert!(
        untagged.is_empty(),
        "untagged frames from the stack: {untagged:?}"
    );
}
