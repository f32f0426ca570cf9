//! Which ESP-IDF release wrote an sdkconfig, as far as the file tells: from its header, else
//! from the symbols it uses (each symbol's first and last release is in
//! `schema/esp-idf-lwip-symbols.txt`).
//!
//! Two things depend on it. How an empty bool `CONFIG_X=` reads: ESP-IDF v3.x's `conf` wrote
//! every disabled bool that way and its reader took an empty value as off, while the
//! kconfiglib-based tools (the v3.3 CMake preview and every release since v4.0) write
//! `# CONFIG_X is not set` and ignore an empty value. And which meaning an option whose meaning
//! moved between releases had (see [`super::legacy`]).

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use super::read::{Line, RawValue};

/// An ESP-IDF release, `major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release(pub u32, pub u32);

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}", self.0, self.1)
    }
}

impl Release {
    /// `"4.4"` → `Release(4, 4)` (a leading `v` and a patch number are allowed).
    pub fn parse(s: &str) -> Option<Release> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let mut parts = s.split(['.', '-']);
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some(Release(major, minor))
    }
}

/// The first release netstack knows sdkconfig files of.
pub const FIRST: Release = Release(3, 0);
/// The first release whose tools are kconfiglib-based in every build system.
pub const KCONFIGLIB: Release = Release(4, 0);
/// The newest release whose meanings netstack knows: what `netstack-config export` writes.
pub const LATEST: Release = Release(5, 5);

/// The program that wrote the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// ESP-IDF v3.x's `conf`/`mconf` (GNU Make builds): `CONFIG_X=` for a disabled bool.
    Conf,
    /// kconfiglib (v3.3's CMake preview, v4.0 and later): `# CONFIG_X is not set`.
    Kconfiglib,
}

/// One symbol's life in ESP-IDF's `components/lwip/Kconfig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct History {
    /// First release that had it.
    pub first: Release,
    /// Last release that had it; `None` if v5.5 still does.
    pub last: Option<Release>,
    /// Whether `sdkconfig.rename` keeps the name, so later releases still write it.
    pub renamed: bool,
}

const HISTORY_TEXT: &str = include_str!("../../schema/esp-idf-lwip-symbols.txt");

/// Every lwIP symbol of every ESP-IDF release from v3.0 to v5.5, by name (without `CONFIG_`).
pub fn history() -> &'static HashMap<&'static str, History> {
    static TABLE: OnceLock<HashMap<&'static str, History>> = OnceLock::new();
    TABLE.get_or_init(|| {
        HISTORY_TEXT
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split_whitespace();
                let name = f.next()?;
                let first = Release::parse(f.next()?)?;
                let last = match f.next()? {
                    "-" => None,
                    r => Some(Release::parse(r)?),
                };
                let renamed = f.next() == Some("renamed");
                Some((
                    name,
                    History {
                        first,
                        last,
                        renamed,
                    },
                ))
            })
            .collect()
    })
}

/// What the file tells about the release that wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialect {
    /// The writer, if the header names it or the lines show it.
    pub writer: Option<Writer>,
    /// The oldest release that can have written the file.
    pub min: Release,
    /// The newest release that can have written the file, if bounded.
    pub max: Option<Release>,
    /// How that was found, for messages ("its header names ESP-IDF 5.3").
    pub evidence: String,
}

impl Dialect {
    /// Whether the file can be from a release before `r`: nothing in it (header or symbol)
    /// shows it is from `r` or later. Meanings that changed at `r` take the old reading then.
    pub fn may_predate(&self, r: Release) -> bool {
        self.min < r
    }

    /// Whether `CONFIG_X=` on a bool means off here (ESP-IDF v3.x's reader), rather than an
    /// assignment kconfiglib ignores.
    pub fn empty_bool_is_off(&self) -> bool {
        match self.writer {
            Some(Writer::Conf) => true,
            Some(Writer::Kconfiglib) => false,
            None => self.may_predate(KCONFIGLIB),
        }
    }
}

/// The header line of kconfiglib's files, and the title v3.x's `conf` wrote.
const KCONFIGLIB_TITLE: &str = "Espressif IoT Development Framework (ESP-IDF)";
const CONF_TITLE: &str = "Espressif IoT Development Framework Configuration";

/// Dates an sdkconfig from its leading comment block and from the symbols of `lines`.
pub fn detect(text: &str, lines: &[Line]) -> Dialect {
    let mut d = Dialect {
        writer: None,
        min: FIRST,
        max: None,
        evidence: String::from("nothing in the file names its release"),
    };
    for raw in text.lines().take_while(|l| l.trim_start().starts_with('#')) {
        let t = raw.trim_start_matches('#').trim();
        if t.starts_with(super::write::EXPORT_TITLE) {
            d.writer = Some(Writer::Kconfiglib);
            d.min = LATEST;
            d.evidence = "`netstack-config export` wrote it, with today's meanings".into();
        } else if t.starts_with(CONF_TITLE) {
            d.writer = Some(Writer::Conf);
            d.max = Some(Release(3, 3));
            d.evidence = "its header is the one ESP-IDF v3.x's menuconfig wrote".into();
        } else if let Some(rest) = t.strip_prefix(KCONFIGLIB_TITLE) {
            d.writer = Some(Writer::Kconfiglib);
            d.min = Release(3, 3);
            d.evidence = "its header is the one ESP-IDF's kconfiglib tools write".into();
            if let Some(r) = rest.split_whitespace().next().and_then(Release::parse) {
                d.min = r;
                d.max = Some(r);
                d.evidence = format!("its header names ESP-IDF {r}");
            }
        }
    }
    // A name a release introduced dates the file from that release on. A name a release
    // dropped bounds it from above, unless newer names say otherwise: kconfiglib drops unknown
    // names when it writes, but a hand-edited file may keep one.
    let table = history();
    let known = || {
        lines
            .iter()
            .filter_map(|l| Some((l, table.get(l.name.as_str())?)))
    };
    if let Some((line, h)) = known().max_by_key(|(_, h)| h.first)
        && h.first > d.min
        && d.max.is_none_or(|m| h.first <= m)
    {
        d.min = h.first;
        if d.writer.is_none() {
            d.evidence = format!(
                "it sets CONFIG_{}, which ESP-IDF has had since {}",
                line.name, h.first
            );
        }
    }
    let dropped = known()
        .filter(|(_, h)| !h.renamed)
        .filter_map(|(_, h)| h.last)
        .filter(|last| *last >= d.min)
        .min();
    if let Some(last) = dropped {
        d.max = Some(d.max.map_or(last, |m| m.min(last)));
    }
    if d.writer.is_none() {
        let empty_bools = lines
            .iter()
            .any(|l| matches!(&l.value, RawValue::Text(t) if t.is_empty()));
        let not_set = lines.iter().any(|l| l.value == RawValue::NotSet);
        if d.min >= KCONFIGLIB {
            d.writer = Some(Writer::Kconfiglib);
        } else if empty_bools && !not_set {
            d.writer = Some(Writer::Conf);
            d.max = Some(d.max.map_or(Release(3, 3), |m| m.min(Release(3, 3))));
            d.evidence = "it writes disabled bools as `CONFIG_X=`, as only ESP-IDF v3.x did".into();
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::super::read::parse_lines;
    use super::*;

    fn dialect(text: &str) -> Dialect {
        let (lines, _) = parse_lines(text);
        detect(text, &lines)
    }

    #[test]
    fn headers() {
        let v3 = dialect(
            "#\n# Automatically generated file; DO NOT EDIT.\n# Espressif IoT Development Framework Configuration\n#\nCONFIG_LWIP_SO_REUSE=\n",
        );
        assert_eq!(v3.writer, Some(Writer::Conf));
        assert!(v3.empty_bool_is_off());
        let v44 = dialect(
            "#\n# Automatically generated file. DO NOT EDIT.\n# Espressif IoT Development Framework (ESP-IDF) Project Configuration\n#\nCONFIG_LWIP_SNTP_MAX_SERVERS=1\n",
        );
        assert_eq!(v44.writer, Some(Writer::Kconfiglib));
        assert_eq!(v44.min, Release(4, 4));
        assert!(!v44.empty_bool_is_off());
        let v53 = dialect(
            "# Espressif IoT Development Framework (ESP-IDF) 5.3.2 Project Configuration\n",
        );
        assert_eq!((v53.min, v53.max), (Release(5, 3), Some(Release(5, 3))));
        assert!(v53.may_predate(Release(5, 4)) && !v53.may_predate(Release(5, 3)));
        assert_eq!(v53.evidence, "its header names ESP-IDF v5.3");
        let exported = dialect(&format!("#\n# {}\n#\n", super::super::write::EXPORT_TITLE));
        assert!(!exported.may_predate(LATEST) && !exported.empty_bool_is_off());
    }

    #[test]
    fn headerless_files_are_dated_by_their_lines() {
        let v3 = dialect("CONFIG_LWIP_SO_REUSE=\nCONFIG_TCP_MSS=1436\n");
        assert_eq!(v3.writer, Some(Writer::Conf));
        assert!(v3.empty_bool_is_off());
        // A name ESP-IDF v4.4 introduced: kconfiglib, and the old meanings no longer apply.
        let v44 = dialect("CONFIG_LWIP_SO_REUSE=\nCONFIG_LWIP_DHCP_GET_NTP_SRV=y\n");
        assert_eq!(v44.writer, Some(Writer::Kconfiglib));
        assert!(!v44.may_predate(Release(4, 4)));
        assert!(!v44.empty_bool_is_off());
        // A name v4.2 removed bounds the release from above.
        let old = dialect("CONFIG_LWIP_TCP_ISN_HOOK=y\n# CONFIG_LWIP_IP_FRAG is not set\n");
        assert_eq!(old.max, Some(Release(4, 1)));
        assert!(old.may_predate(Release(4, 4)));
        // Nothing to go by: the empty value keeps its v3.x reading.
        assert!(dialect("CONFIG_LWIP_SO_REUSE=\n").empty_bool_is_off());
        assert!(history()["TCP_MSS"].renamed);
        assert_eq!(history()["LWIP_SNTP_MAX_SERVERS"].first, Release(4, 4));
    }
}
