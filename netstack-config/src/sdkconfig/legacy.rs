//! Old meanings: sdkconfig symbols whose meaning changed between ESP-IDF releases, or that
//! ESP-IDF dropped, mapped onto what netstack has, each with a note saying what was mapped.
//!
//! Plain renames (`CONFIG_TCP_MSS` → `CONFIG_LWIP_TCP_MSS`) are no business of this module:
//! they are the schema's `renamed_from`. Here are the cases where the same line meant
//! something else in the release that wrote it:
//!
//! - `LWIP_DHCP_DOES_ARP_CHECK` was a bool up to v5.3 (on by default); v5.4 made it a member
//!   of the `LWIP_DHCP_CHECKS_OFFERED_ADDRESS` choice. Off meant no check at all.
//! - `LWIP_DHCP_MAX_NTP_SERVERS` sized the SNTP server list up to v4.3 (lwIP's
//!   `SNTP_MAX_SERVERS`); v4.4 gave that job to `LWIP_SNTP_MAX_SERVERS` and made the old one
//!   the count of servers taken from DHCP, under `LWIP_DHCP_GET_NTP_SRV`.
//! - `LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS` (v3.2–v3.3) and `ETHARP_SUPPORT_VLAN` (v3.3) have no
//!   option of their own in any later release.

use crate::diagnostics::Severity;
use crate::schema::{OptionType, Schema};
use crate::value::Value;

use super::dialect::{Dialect, Release};
use super::read::{Line, Skip, read_value};

/// Every symbol this module reads (without `CONFIG_`), for the audit of ESP-IDF's names.
pub const SYMBOLS: &[&str] = &[
    "LWIP_DHCP_DOES_ARP_CHECK",
    "LWIP_DHCP_MAX_NTP_SERVERS",
    "LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS",
    "ETHARP_SUPPORT_VLAN",
];

/// What an old meaning turns a line into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// The option to assign (schema index) and its value; `None` when nothing is assigned.
    pub assign: Option<(usize, Value)>,
    /// What to tell the user about it, and how loudly.
    pub message: Option<(Severity, String)>,
}

/// The release that made `LWIP_DHCP_DOES_ARP_CHECK` a choice member.
const ARP_CHECK_BECAME_MEMBER: Release = Release(5, 4);
/// The release that gave `LWIP_SNTP_MAX_SERVERS` the job of `LWIP_DHCP_MAX_NTP_SERVERS`.
const SNTP_MAX_SERVERS_ADDED: Release = Release(4, 4);

/// The old meaning of `line`, if it has one in the release `dialect` dates the file to.
/// `on_in_file(name)`: whether the file sets `CONFIG_<name>` on anywhere. `None`: no old
/// meaning applies, read the line as the schema says.
pub fn map(
    schema: &Schema,
    dialect: &Dialect,
    line: &Line,
    on_in_file: &dyn Fn(&str) -> bool,
) -> Option<Result<Mapped, Skip>> {
    let bool_value = || read_value(OptionType::Bool, &line.value, dialect.empty_bool_is_off());
    let shown = line.shown();
    match line.name.as_str() {
        "LWIP_DHCP_DOES_ARP_CHECK" if dialect.may_predate(ARP_CHECK_BECAME_MEMBER) => {
            let i = schema.index_of("dhcp_checks_offered_address")?;
            let others_on = schema.options[i]
                .choices
                .iter()
                .filter(|m| m.name != "arp_check")
                .any(|m| on_in_file(&schema.options[i].member_sdk_name(m)));
            let on = match bool_value() {
                Ok(r) => r.value == Value::Bool(true),
                Err(skip) => return Some(Err(skip)),
            };
            // On, or off next to another member (a v5.4+ file): the choice reading holds.
            if on || others_on {
                return None;
            }
            Some(Ok(Mapped {
                assign: Some((i, Value::Choice("no_check".into()))),
                message: Some((
                    Severity::Note,
                    format!(
                        "`{shown}`: up to ESP-IDF v5.3 this bool turned the ARP check of an offered \
                         DHCP address off, so no check was made; mapped to \
                         dhcp_checks_offered_address = \"no_check\" ({})",
                        dialect.evidence
                    ),
                )),
            }))
        }
        "LWIP_DHCP_MAX_NTP_SERVERS" if dialect.may_predate(SNTP_MAX_SERVERS_ADDED) => {
            let i = schema.index_of("sntp_max_servers")?;
            let n = match read_value(OptionType::Int, &line.value, false) {
                Ok(r) => r.value,
                Err(skip) => return Some(Err(skip)),
            };
            Some(Ok(Mapped {
                message: Some((
                    Severity::Note,
                    format!(
                        "`{shown}`: up to ESP-IDF v4.3 this sized the SNTP server list (lwIP's \
                         SNTP_MAX_SERVERS); mapped to sntp_max_servers = {n} ({})",
                        dialect.evidence
                    ),
                )),
                assign: Some((i, n)),
            }))
        }
        "LWIP_RANDOMIZE_INITIAL_LOCAL_PORTS" => {
            let on = match bool_value() {
                Ok(r) => r.value == Value::Bool(true),
                Err(skip) => return Some(Err(skip)),
            };
            Some(Ok(Mapped {
                assign: None,
                message: Some(if on {
                    (
                        Severity::Note,
                        format!(
                            "`{shown}` (ESP-IDF v3.2–v3.3) needs no option: netstack always starts \
                             its local TCP and UDP ports at a random point"
                        ),
                    )
                } else {
                    (
                        Severity::Error,
                        format!(
                            "`{shown}` (ESP-IDF v3.2–v3.3) asks for predictable local ports, which \
                             netstack does not offer: it always starts them at a random point; \
                             delete the line to accept that"
                        ),
                    )
                }),
            }))
        }
        "ETHARP_SUPPORT_VLAN" => {
            let on = match bool_value() {
                Ok(r) => r.value == Value::Bool(true),
                Err(skip) => return Some(Err(skip)),
            };
            if !on {
                // Tagged frames were dropped; netstack drops all but priority tags (VID 0).
                return Some(Ok(Mapped {
                    assign: None,
                    message: None,
                }));
            }
            let i = schema.index_of("hook_vlan_check")?;
            Some(Ok(Mapped {
                assign: Some((i, Value::Choice("custom".into()))),
                message: Some((
                    Severity::Warning,
                    format!(
                        "`{shown}` (ESP-IDF v3.3) accepted 802.1Q-tagged frames of every VLAN; \
                         netstack accepts tagged frames through Hooks::vlan_check only: mapped to \
                         hook_vlan_check = \"custom\", so the build asks for that hook (return true \
                         to accept every VLAN as before)"
                    ),
                )),
            }))
        }
        _ => None,
    }
}
