//! What "set", "differ" and "derived" mean, in the one place every command takes them from.

use netstack_config::resolve::Config;

/// The legend the commands print with their counts.
pub const LEGEND: &str = "set: written in the file or a preset it extends; differ: a value \
     other than the default configuration's; derived: differs without being set, following \
     other options";

/// How a configuration compares with the default configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Options the file or its presets assign (whether or not the value is the default).
    pub set: usize,
    /// Options whose value is not the default configuration's.
    pub differ: usize,
    /// Options that differ without being set: their value follows other options (a
    /// dependency switched off, a default that depends on another option).
    pub derived: usize,
}

impl Counts {
    /// Counts `config` against `defaults` (both resolved against the same schema).
    pub fn of(config: &Config<'_>, defaults: &Config<'_>) -> Counts {
        let mut c = Counts {
            set: 0,
            differ: 0,
            derived: 0,
        };
        for (o, d) in config.options.iter().zip(&defaults.options) {
            let set = o.provenance.is_assigned();
            let differs = o.value != d.value;
            c.set += usize::from(set);
            c.differ += usize::from(differs);
            c.derived += usize::from(differs && !set);
        }
        c
    }

    /// `15 set, 18 differ from the defaults, 3 of them derived`.
    pub fn summary(&self) -> String {
        format!(
            "{} set, {} differ from the defaults, {} of them derived",
            self.set, self.differ, self.derived
        )
    }
}

/// Whether option `index` of `config` is derived: it differs from `defaults` without being set.
pub fn is_derived(config: &Config<'_>, defaults: &Config<'_>, index: usize) -> bool {
    let (o, d) = (&config.options[index], &defaults.options[index]);
    !o.provenance.is_assigned() && o.value != d.value
}
