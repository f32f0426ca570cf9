#!/usr/bin/python3
"""Writes the committed seed corpus of every fuzz target: fuzz/seeds/<target>/*.bin.

Run it with Debian's Python and scapy (package python3-scapy):

    /usr/bin/python3 fuzz/seeds/make_seeds.py

Every value is fixed (addresses, ports, ids, sequence numbers, payloads), so the output is
the same byte for byte on every run; stale .bin files in a target's directory are removed.
Each seed is a small, valid input in the format its target documents (see
fuzz/fuzz_targets/<target>.rs):

* wire_ethernet, wire_arp, wire_ipv4, wire_icmpv4, wire_igmp, wire_dhcpv4: the bare
  frame / packet / message.
* wire_udp, wire_tcp: 1 selector byte (even: IPv4, odd: IPv6) + 8 address bytes (source,
  destination; for IPv6 the low 32 bits under fe80::/96 for UDP, 2001:db8::/96 for TCP) +
  the datagram / segment, its checksum computed over that pseudo header.
* stack_input: frames, each a 2-byte big-endian length then the Ethernet frame, for the
  target's stack: 192.0.2.2/24, MAC 02:00:00:00:00:02, gateway 192.0.2.1, a static ARP
  entry 192.0.2.9 -> 02:00:00:00:00:09, UDP socket on port 7, group 239.1.2.3 joined,
  TCP listener on port 80, a DHCP client.
"""

import os
import struct
import sys

from scapy.all import (
    ARP,
    BOOTP,
    DHCP,
    DNS,
    DNSQR,
    ICMP,
    IP,
    TCP,
    UDP,
    Dot1Q,
    Ether,
    IPOption_NOP,
    IPOption_Router_Alert,
    IPOption_RR,
    IPv6,
    raw,
)
from scapy.contrib.igmp import IGMP
from scapy.contrib.igmpv3 import IGMPv3, IGMPv3gr, IGMPv3mq, IGMPv3mr

HERE = os.path.dirname(os.path.abspath(__file__))

# The stack of the stack_input target.
OUR_MAC = "02:00:00:00:00:02"
OUR_IP = "192.0.2.2"
GW_MAC = "02:00:00:00:00:01"
GW_IP = "192.0.2.1"
PEER_MAC = "02:00:00:00:00:09"  # the target's static ARP entry
PEER_IP = "192.0.2.9"
HOST_MAC = "02:00:00:00:00:0a"  # a host the stack learns through ARP
HOST_IP = "192.0.2.10"
DNS_IP = "192.0.2.53"
GROUP = "239.1.2.3"
GROUP_MAC = "01:00:5e:01:02:03"
BCAST = "ff:ff:ff:ff:ff:ff"

# What the stack_input stack (random_seed 1) draws from its generator, read off the frames
# it sends when fed these seeds (DHCPDISCOVER xid, SYN-ACK sequence number). With other
# values the frames are still valid but are dropped as not matching (wrong xid) or answered
# with a reset (wrong ack number), so less of the stack is reached.
STACK_DHCP_XID = 0x3B2C74FA
STACK_TCP_ISN = 1060619679

SEEDS = {}


def seed(target, name, data):
    data = bytes(data)
    assert name.endswith(".bin"), name
    assert name not in SEEDS.setdefault(target, {}), (target, name)
    SEEDS[target][name] = data


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def ip_bytes(addr):
    return bytes(int(x) for x in addr.split("."))


def l4(pkt):
    """The transport bytes of an IP/IPv6 packet built by scapy (checksums filled)."""
    b = raw(pkt)
    return b[40:] if IPv6 in pkt else b[(b[0] & 0x0F) * 4:]


def frames(*pkts):
    """stack_input format: each frame prefixed by its 2-byte big-endian length."""
    out = b""
    for p in pkts:
        b = raw(p)
        out += struct.pack("!H", len(b)) + b
    return out


# Reused packets ------------------------------------------------------------------------

PING_DATA = bytes(range(0x10, 0x10 + 32))
DNS_QUERY = DNS(id=0x1234, rd=1, qd=DNSQR(qname="example.com", qtype="A"))


def udp_dns_v4():
    return IP(src=OUR_IP, dst=DNS_IP, id=1) / UDP(sport=49152, dport=53) / DNS_QUERY


def icmp_echo_v4(src=HOST_IP, dst=OUR_IP, ident=0x2A, seq=1):
    return IP(src=src, dst=dst, id=0x100 + seq, flags="DF") / ICMP(
        type=8, id=ident, seq=seq
    ) / PING_DATA


LINUX_SYN_OPTS = [
    ("MSS", 1460),
    ("SAckOK", b""),
    ("Timestamp", (1000, 0)),
    ("NOP", None),
    ("WScale", 7),
]


# wire_ethernet ----------------------------------------------------------------------------

def ethernet():
    t = "wire_ethernet"
    seed(t, "eth-ipv4-icmp-echo.bin", Ether(src=HOST_MAC, dst=OUR_MAC) / icmp_echo_v4())
    seed(
        t,
        "eth-arp-request-broadcast.bin",
        Ether(src=HOST_MAC, dst=BCAST)
        / ARP(op=1, hwsrc=HOST_MAC, psrc=HOST_IP, hwdst="00:00:00:00:00:00", pdst=OUR_IP),
    )
    seed(
        t,
        "eth-vlan-ipv4-udp.bin",
        Ether(src=HOST_MAC, dst=OUR_MAC)
        / Dot1Q(prio=5, id=0, vlan=100)
        / IP(src=HOST_IP, dst=OUR_IP, id=2)
        / UDP(sport=40000, dport=7)
        / b"hello",
    )
    seed(
        t,
        "eth-ipv4-multicast-udp.bin",
        Ether(src=PEER_MAC, dst=GROUP_MAC)
        / IP(src=PEER_IP, dst=GROUP, ttl=1, id=3)
        / UDP(sport=5000, dport=7)
        / b"to the group",
    )
    seed(
        t,
        "eth-ipv6-udp.bin",
        Ether(src=HOST_MAC, dst="33:33:00:00:00:01")
        / IPv6(src="fe80::a", dst="ff02::1", hlim=1)
        / UDP(sport=5353, dport=5353)
        / b"v6",
    )


# wire_arp ------------------------------------------------------------------------------

def arp():
    t = "wire_arp"
    zero = "00:00:00:00:00:00"
    seed(t, "arp-request.bin",
         ARP(op=1, hwsrc=HOST_MAC, psrc=HOST_IP, hwdst=zero, pdst=OUR_IP))
    seed(t, "arp-reply.bin",
         ARP(op=2, hwsrc=OUR_MAC, psrc=OUR_IP, hwdst=HOST_MAC, pdst=HOST_IP))
    seed(t, "arp-gratuitous-announce.bin",
         ARP(op=1, hwsrc=GW_MAC, psrc=GW_IP, hwdst=zero, pdst=GW_IP))
    seed(t, "arp-probe.bin",
         ARP(op=1, hwsrc=HOST_MAC, psrc="0.0.0.0", hwdst=zero, pdst=HOST_IP))
    # As read off a minimum-size Ethernet frame: 28 bytes of ARP, 18 of padding.
    seed(t, "arp-reply-padded.bin",
         raw(ARP(op=2, hwsrc=GW_MAC, psrc=GW_IP, hwdst=OUR_MAC, pdst=OUR_IP)) + bytes(18))


# wire_ipv4 -----------------------------------------------------------------------------

def ipv4():
    t = "wire_ipv4"
    seed(t, "ipv4-icmp-echo.bin", icmp_echo_v4())
    seed(t, "ipv4-udp-dns-query.bin", udp_dns_v4())
    seed(
        t,
        "ipv4-tcp-syn-df.bin",
        IP(src=HOST_IP, dst=OUR_IP, id=0, flags="DF", ttl=64)
        / TCP(sport=40000, dport=80, flags="S", seq=1000, window=64240,
              options=LINUX_SYN_OPTS),
    )
    whole = raw(
        IP(src=HOST_IP, dst=OUR_IP, id=0x4242)
        / UDP(sport=40000, dport=7)
        / bytes(i & 0xFF for i in range(64))
    )
    first, second = frag2(whole, 40)
    seed(t, "ipv4-fragment-first-mf.bin", first)
    seed(t, "ipv4-fragment-last.bin", second)
    seed(
        t,
        "ipv4-options-router-alert-igmp.bin",
        IP(src=OUR_IP, dst=GROUP, ttl=1, id=5, tos=0xC0,
           options=[IPOption_Router_Alert()])
        / IGMP(type=0x16, mrcode=0, gaddr=GROUP),
    )
    seed(
        t,
        "ipv4-options-nop-record-route.bin",
        IP(src=HOST_IP, dst=OUR_IP, id=6,
           options=[IPOption_NOP(), IPOption_RR(routers=["192.0.2.1", "0.0.0.0"])])
        / ICMP(type=8, id=7, seq=1),
    )


def frag2(datagram, first_len):
    """Splits an IPv4 datagram (20-byte header) in two at first_len payload bytes (a multiple
    of 8): the first with MF, the second at that offset."""
    assert first_len % 8 == 0
    ip = IP(datagram)
    payload = datagram[20:]
    a = IP(src=ip.src, dst=ip.dst, id=ip.id, ttl=ip.ttl, proto=ip.proto, flags="MF",
           frag=0) / payload[:first_len]
    b = IP(src=ip.src, dst=ip.dst, id=ip.id, ttl=ip.ttl, proto=ip.proto, flags=0,
           frag=first_len // 8) / payload[first_len:]
    return raw(a), raw(b)


# wire_icmpv4 ---------------------------------------------------------------------------

def quote(pkt):
    """What an ICMP error quotes: the IP header and the first 8 bytes of its data."""
    b = raw(pkt)
    return b[: (b[0] & 0x0F) * 4 + 8]


def icmpv4():
    t = "wire_icmpv4"
    seed(t, "icmp-echo-request.bin", ICMP(type=8, id=0x2A, seq=1) / PING_DATA)
    seed(t, "icmp-echo-reply.bin", ICMP(type=0, id=0x2A, seq=1) / PING_DATA)
    seed(t, "icmp-dst-unreachable-port-udp.bin",
         ICMP(type=3, code=3) / quote(udp_dns_v4()))
    seed(
        t,
        "icmp-dst-unreachable-frag-needed-tcp.bin",
        ICMP(type=3, code=4, nexthopmtu=1400)
        / quote(IP(src=OUR_IP, dst=HOST_IP, id=9, flags="DF")
                / TCP(sport=80, dport=40000, flags="A", seq=5000, ack=1001) / bytes(1460)),
    )
    seed(
        t,
        "icmp-time-exceeded-ttl-udp.bin",
        ICMP(type=11, code=0)
        / quote(IP(src=OUR_IP, dst="198.51.100.1", ttl=1, id=10)
                / UDP(sport=49153, dport=33434) / bytes(24)),
    )
    seed(
        t,
        "icmp-parameter-problem.bin",
        ICMP(type=12, code=0, ptr=20)
        / quote(IP(src=OUR_IP, dst=HOST_IP, id=11, options=[IPOption_NOP()] * 4)
                / UDP(sport=7, dport=40000)),
    )
    seed(t, "icmp-redirect-host.bin",
         ICMP(type=5, code=1, gw="192.0.2.254") / quote(udp_dns_v4()))
    seed(t, "icmp-timestamp-request.bin",
         ICMP(type=13, id=3, seq=1, ts_ori=36000000, ts_rx=0, ts_tx=0))


# wire_igmp -----------------------------------------------------------------------------

def igmp():
    t = "wire_igmp"
    seed(t, "igmp-v1-query.bin", IGMP(type=0x11, mrcode=0, gaddr="0.0.0.0"))
    seed(t, "igmp-v1-report.bin", IGMP(type=0x12, mrcode=0, gaddr=GROUP))
    seed(t, "igmp-v2-general-query.bin", IGMP(type=0x11, mrcode=100, gaddr="0.0.0.0"))
    seed(t, "igmp-v2-group-query.bin", IGMP(type=0x11, mrcode=10, gaddr=GROUP))
    seed(t, "igmp-v2-report.bin", IGMP(type=0x16, mrcode=0, gaddr=GROUP))
    seed(t, "igmp-v2-leave.bin", IGMP(type=0x17, mrcode=0, gaddr=GROUP))
    seed(
        t,
        "igmp-v3-query-with-sources.bin",
        IGMPv3(type=0x11, mrcode=100)
        / IGMPv3mq(gaddr=GROUP, s=0, qrv=2, qqic=125,
                   srcaddrs=["192.0.2.7", "192.0.2.8"]),
    )
    seed(
        t,
        "igmp-v3-report-records.bin",
        IGMPv3(type=0x22)
        / IGMPv3mr(records=[
            IGMPv3gr(rtype=2, maddr=GROUP),  # MODE_IS_EXCLUDE, no sources
            IGMPv3gr(rtype=1, maddr="239.1.2.4", srcaddrs=["192.0.2.7", "192.0.2.8"]),
            IGMPv3gr(rtype=6, maddr="239.1.2.5", srcaddrs=["192.0.2.9"]),  # BLOCK_OLD
        ]),
    )


# wire_udp ------------------------------------------------------------------------------

def v4_prefix(src, dst):
    return b"\x00" + ip_bytes(src) + ip_bytes(dst)


def v6_prefix(src_low, dst_low):
    return b"\x01" + struct.pack("!II", src_low, dst_low)


def udp():
    t = "wire_udp"
    seed(t, "udp-ipv4-dns-query.bin", v4_prefix(OUR_IP, DNS_IP) + l4(udp_dns_v4()))
    seed(
        t,
        "udp-ipv4-echo-no-checksum.bin",
        v4_prefix(HOST_IP, OUR_IP)
        + l4(IP(src=HOST_IP, dst=OUR_IP) / UDP(sport=40000, dport=7, chksum=0) / b"echo me"),
    )
    seed(
        t,
        "udp-ipv4-empty-payload.bin",
        v4_prefix(HOST_IP, OUR_IP) + l4(IP(src=HOST_IP, dst=OUR_IP) / UDP(sport=40001, dport=7)),
    )
    seed(
        t,
        "udp-ipv4-dhcp-discover.bin",
        v4_prefix("0.0.0.0", "255.255.255.255")
        + l4(IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67)
             / dhcp_discover()),
    )
    seed(
        t,
        "udp-ipv6-dns-query.bin",
        v6_prefix(1, 2) + l4(IPv6(src="fe80::1", dst="fe80::2") / UDP(sport=49152, dport=53)
                             / DNS_QUERY),
    )
    seed(
        t,
        "udp-ipv6-echo.bin",
        v6_prefix(0xC0000202, 0xC000020A)
        + l4(IPv6(src="fe80::c000:202", dst="fe80::c000:20a") / UDP(sport=7, dport=40000)
             / b"echo me"),
    )


# wire_tcp ------------------------------------------------------------------------------

def tcp_v4(src, dst, **kw):
    payload = kw.pop("payload", b"")
    return v4_prefix(src, dst) + l4(IP(src=src, dst=dst) / TCP(**kw) / payload)


def tcp_v6(src_low, dst_low, **kw):
    payload = kw.pop("payload", b"")
    pkt = IPv6(src="2001:db8::%x:%x" % (src_low >> 16, src_low & 0xFFFF),
               dst="2001:db8::%x:%x" % (dst_low >> 16, dst_low & 0xFFFF)) / TCP(**kw) / payload
    return v6_prefix(src_low, dst_low) + l4(pkt)


HTTP_GET = b"GET / HTTP/1.0\r\nHost: 192.0.2.2\r\n\r\n"


def tcp():
    t = "wire_tcp"
    seed(t, "tcp-ipv4-syn-mss-ws-sackok-ts.bin",
         tcp_v4(HOST_IP, OUR_IP, sport=40000, dport=80, flags="S", seq=1000, window=64240,
                options=LINUX_SYN_OPTS))
    seed(t, "tcp-ipv4-synack-mss-ws-sackok-ts.bin",
         tcp_v4(OUR_IP, HOST_IP, sport=80, dport=40000, flags="SA", seq=5000, ack=1001,
                window=65535, options=[("MSS", 1460), ("NOP", None), ("WScale", 2),
                                       ("SAckOK", b""), ("Timestamp", (7, 1000))]))
    seed(t, "tcp-ipv4-psh-data-timestamps.bin",
         tcp_v4(HOST_IP, OUR_IP, sport=40000, dport=80, flags="PA", seq=1001, ack=5001,
                window=502, options=[("NOP", None), ("NOP", None), ("Timestamp", (1010, 7))],
                payload=HTTP_GET))
    seed(t, "tcp-ipv4-data-sack-blocks.bin",
         tcp_v4(HOST_IP, OUR_IP, sport=40000, dport=80, flags="A", seq=1037, ack=5001,
                window=502,
                options=[("NOP", None), ("NOP", None), ("Timestamp", (1020, 8)),
                         ("NOP", None), ("NOP", None),
                         ("SAck", (7921, 9381, 10841, 12301))],
                payload=b"more data"))
    seed(t, "tcp-ipv4-fin-ack.bin",
         tcp_v4(HOST_IP, OUR_IP, sport=40000, dport=80, flags="FA", seq=1046, ack=5001,
                window=502))
    seed(t, "tcp-ipv4-rst.bin",
         tcp_v4(OUR_IP, HOST_IP, sport=80, dport=40001, flags="R", seq=0, window=0))
    seed(t, "tcp-ipv6-syn-mss-ws-sackok-ts.bin",
         tcp_v6(1, 2, sport=40000, dport=80, flags="S", seq=1000, window=64800,
                options=[("MSS", 1440), ("SAckOK", b""), ("Timestamp", (1000, 0)),
                         ("NOP", None), ("WScale", 7)]))
    seed(t, "tcp-ipv6-ack-data.bin",
         tcp_v6(2, 1, sport=80, dport=40000, flags="PA", seq=5001, ack=1037, window=509,
                payload=b"HTTP/1.0 200 OK\r\n\r\n"))


# wire_dhcpv4 ---------------------------------------------------------------------------

CLIENT_MAC = OUR_MAC
OFFERED_IP = "192.0.2.50"


def bootp_pad(pkt):
    """A DHCP message padded to the 300 bytes BOOTP relays expect (RFC 1542)."""
    b = raw(pkt)
    return b + bytes(max(0, 300 - len(b)))


def chaddr(mac):
    return mac_bytes(mac) + bytes(10)


def dhcp_discover(xid=0x01020304):
    return bootp_pad(
        BOOTP(op=1, xid=xid, flags=0x8000, chaddr=chaddr(CLIENT_MAC))
        / DHCP(options=[
            ("message-type", "discover"),
            ("client_id", b"\x01" + mac_bytes(CLIENT_MAC)),
            ("hostname", b"netstack"),
            ("param_req_list", [1, 3, 6, 42, 51, 58, 59]),
            ("max_dhcp_size", 1500),
            "end",
        ])
    )


def dhcp_reply(kind, xid, dst_ip=OFFERED_IP):
    return bootp_pad(
        BOOTP(op=2, xid=xid, yiaddr=dst_ip, siaddr=GW_IP, chaddr=chaddr(CLIENT_MAC))
        / DHCP(options=[
            ("message-type", kind),
            ("server_id", GW_IP),
            ("lease_time", 3600),
            ("renewal_time", 1800),
            ("rebinding_time", 3150),
            ("subnet_mask", "255.255.255.0"),
            ("router", GW_IP),
            ("name_server", DNS_IP, "192.0.2.54"),
            ("NTP_server", "192.0.2.123"),
            "end",
        ])
    )


def dhcp():
    t = "wire_dhcpv4"
    xid = 0x01020304
    seed(t, "dhcp-discover.bin", dhcp_discover(xid))
    seed(t, "dhcp-offer.bin", dhcp_reply("offer", xid))
    seed(
        t,
        "dhcp-request.bin",
        bootp_pad(
            BOOTP(op=1, xid=xid, secs=2, flags=0x8000, chaddr=chaddr(CLIENT_MAC))
            / DHCP(options=[
                ("message-type", "request"),
                ("client_id", b"\x01" + mac_bytes(CLIENT_MAC)),
                ("requested_addr", OFFERED_IP),
                ("server_id", GW_IP),
                ("hostname", b"netstack"),
                ("param_req_list", [1, 3, 6, 42, 51, 58, 59]),
                "end",
            ])
        ),
    )
    seed(t, "dhcp-ack.bin", dhcp_reply("ack", xid))
    # Option 52 = 3: after the options area, `file` and then `sname` hold options too.
    file_opts = (
        bytes([54, 4]) + ip_bytes(GW_IP)
        + bytes([51, 4]) + struct.pack("!I", 86400)
        + bytes([1, 4]) + ip_bytes("255.255.255.0")
        + bytes([255])
    )
    sname_opts = (
        bytes([3, 4]) + ip_bytes(GW_IP)
        + bytes([6, 8]) + ip_bytes(DNS_IP) + ip_bytes("192.0.2.54")
        + bytes([0, 0])  # pad
        + bytes([255])
    )
    seed(
        t,
        "dhcp-ack-overloaded-file-sname.bin",
        bootp_pad(
            BOOTP(op=2, xid=xid, yiaddr=OFFERED_IP, siaddr=GW_IP, chaddr=chaddr(CLIENT_MAC),
                  sname=sname_opts, file=file_opts)
            / DHCP(options=[("message-type", "ack"), ("dhcp-option-overload", 3), "end"])
        ),
    )
    seed(
        t,
        "dhcp-nak-message.bin",
        bootp_pad(
            BOOTP(op=2, xid=xid, chaddr=chaddr(CLIENT_MAC))
            / DHCP(options=[
                ("message-type", "nak"),
                ("server_id", GW_IP),
                ("error_message", b"requested address not available"),
                "end",
            ])
        ),
    )


# stack_input ---------------------------------------------------------------------------

def to_us(src_mac, pkt, dst_mac=OUR_MAC):
    return Ether(src=src_mac, dst=dst_mac) / pkt


def stack():
    t = "stack_input"
    seed(
        t,
        "stack-arp-request-then-icmp-echo.bin",
        frames(
            Ether(src=HOST_MAC, dst=BCAST)
            / ARP(op=1, hwsrc=HOST_MAC, psrc=HOST_IP, hwdst="00:00:00:00:00:00", pdst=OUR_IP),
            to_us(HOST_MAC, icmp_echo_v4(seq=1)),
            to_us(HOST_MAC, icmp_echo_v4(seq=2)),
        ),
    )
    # Handshake with the listener on port 80 from the static ARP peer, a request, then FIN.
    isn = STACK_TCP_ISN
    c = dict(sport=40000, dport=80, window=64240)

    def seg(**kw):
        payload = kw.pop("payload", b"")
        return to_us(PEER_MAC, IP(src=PEER_IP, dst=OUR_IP, id=0, flags="DF")
                     / TCP(**c, **kw) / payload)

    seed(
        t,
        "stack-tcp-syn-ack-data-fin.bin",
        frames(
            seg(flags="S", seq=1000, options=LINUX_SYN_OPTS),
            seg(flags="A", seq=1001, ack=(isn + 1) & 0xFFFFFFFF),
            seg(flags="PA", seq=1001, ack=(isn + 1) & 0xFFFFFFFF, payload=HTTP_GET),
            seg(flags="FA", seq=1001 + len(HTTP_GET), ack=(isn + 1 + 5) & 0xFFFFFFFF),
        ),
    )
    seed(
        t,
        "stack-udp-port7-unicast-broadcast-multicast.bin",
        frames(
            to_us(PEER_MAC, IP(src=PEER_IP, dst=OUR_IP, id=20) / UDP(sport=40000, dport=7)
                  / b"unicast"),
            to_us(PEER_MAC, IP(src=PEER_IP, dst="192.0.2.255", id=21)
                  / UDP(sport=40000, dport=7) / b"subnet broadcast", dst_mac=BCAST),
            to_us(PEER_MAC, IP(src=PEER_IP, dst=GROUP, ttl=1, id=22)
                  / UDP(sport=40000, dport=7) / b"group", dst_mac=GROUP_MAC),
            to_us(PEER_MAC, IP(src=PEER_IP, dst=OUR_IP, id=23) / UDP(sport=40000, dport=9)
                  / b"closed port"),
        ),
    )
    ra = [IPOption_Router_Alert()]
    seed(
        t,
        "stack-igmp-v2-v3-queries.bin",
        frames(
            to_us(GW_MAC, IP(src=GW_IP, dst="224.0.0.1", ttl=1, tos=0xC0, id=30, options=ra)
                  / IGMP(type=0x11, mrcode=100, gaddr="0.0.0.0"),
                  dst_mac="01:00:5e:00:00:01"),
            to_us(GW_MAC, IP(src=GW_IP, dst=GROUP, ttl=1, tos=0xC0, id=31, options=ra)
                  / IGMPv3(type=0x11, mrcode=20)
                  / IGMPv3mq(gaddr=GROUP, qrv=2, qqic=125, srcaddrs=["192.0.2.7"]),
                  dst_mac=GROUP_MAC),
        ),
    )
    # An echo request in two fragments: reassembled and answered when the build enables
    # ip4_reassembly (off by default: then both are counted and dropped).
    whole = raw(icmp_echo_v4(src=PEER_IP, seq=3) / bytes(64))
    first, second = frag2(whole, 48)
    seed(
        t,
        "stack-ipv4-two-fragments-icmp-echo.bin",
        frames(to_us(PEER_MAC, IP(first)), to_us(PEER_MAC, IP(second))),
    )
    xid = STACK_DHCP_XID

    def server(kind, dst_mac):
        return to_us(GW_MAC, IP(src=GW_IP, dst="255.255.255.255", id=40)
                     / UDP(sport=67, dport=68) / dhcp_reply(kind, xid), dst_mac=dst_mac)

    seed(
        t,
        "stack-dhcp-offer-then-ack.bin",
        frames(server("offer", OUR_MAC), server("ack", OUR_MAC)),
    )
    seed(
        t,
        "stack-vlan-tagged-and-icmp-error.bin",
        frames(
            Ether(src=HOST_MAC, dst=OUR_MAC) / Dot1Q(vlan=100) / icmp_echo_v4(seq=4),
            to_us(GW_MAC, IP(src=GW_IP, dst=OUR_IP, id=50)
                  / ICMP(type=3, code=3)
                  / quote(IP(src=OUR_IP, dst=PEER_IP, id=1) / UDP(sport=7, dport=40000)
                          / b"reply")),
        ),
    )


def main():
    ethernet()
    arp()
    ipv4()
    icmpv4()
    igmp()
    udp()
    tcp()
    dhcp()
    stack()
    total = 0
    for target in sorted(SEEDS):
        d = os.path.join(HERE, target)
        os.makedirs(d, exist_ok=True)
        wanted = SEEDS[target]
        for old in sorted(os.listdir(d)):
            if old.endswith(".bin") and old not in wanted:
                os.remove(os.path.join(d, old))
        for name in sorted(wanted):
            with open(os.path.join(d, name), "wb") as f:
                f.write(wanted[name])
            total += len(wanted[name])
        print("%-14s %d seeds" % (target, len(wanted)))
    print("total %d bytes" % total)


if __name__ == "__main__":
    sys.exit(main())
