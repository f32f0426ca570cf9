//! Time as the stack sees it: a monotonic millisecond clock that the caller passes in.
//!
//! The stack never reads a clock itself, so tests can drive it with a virtual clock and a
//! product can use whatever timer its platform has.

use core::fmt;
use core::num::NonZeroU64;
use core::ops::{Add, AddAssign, Sub};

/// A point in time, in milliseconds since an arbitrary epoch chosen by the caller.
///
/// Stored as milliseconds + 1 in a `NonZeroU64`, so an `Option<Instant>` (every timer of
/// the stack) takes 8 bytes rather than 16; the clock therefore ends (saturates) at
/// `u64::MAX - 1` ms, some 584 million years after the epoch.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    /// Milliseconds since the epoch, plus one.
    biased: NonZeroU64,
}

impl Instant {
    /// The epoch itself.
    pub const ZERO: Instant = Instant {
        biased: NonZeroU64::MIN,
    };

    /// An instant `millis` milliseconds after the epoch (at most `u64::MAX - 1`: later
    /// values saturate).
    pub const fn from_millis(millis: u64) -> Instant {
        Instant {
            biased: NonZeroU64::MIN.saturating_add(millis),
        }
    }

    /// An instant `secs` seconds after the epoch.
    pub const fn from_secs(secs: u64) -> Instant {
        Instant::from_millis(secs.saturating_mul(1000))
    }

    /// Milliseconds since the epoch.
    pub const fn millis(self) -> u64 {
        self.biased.get() - 1
    }

    /// Time elapsed since `earlier`, or zero if `earlier` is later than `self`.
    pub const fn saturating_since(self, earlier: Instant) -> Duration {
        Duration::from_millis(self.biased.get().saturating_sub(earlier.biased.get()))
    }
}

/// The earliest of `times`, `None` counting as never: `None` when all are `None`.
/// Branch-free (`None` is stored as 0, so subtracting one makes it the largest value).
#[inline]
pub(crate) fn earliest<const N: usize>(times: [Option<Instant>; N]) -> Option<Instant> {
    let least = times
        .iter()
        .map(|t| t.map_or(0, |i| i.biased.get()).wrapping_sub(1))
        .fold(u64::MAX, u64::min);
    NonZeroU64::new(least.wrapping_add(1)).map(|biased| Instant { biased })
}

impl Default for Instant {
    fn default() -> Instant {
        Instant::ZERO
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instant")
            .field("millis", &self.millis())
            .finish()
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.millis();
        write!(f, "{}.{:03}s", millis / 1000, millis % 1000)
    }
}

/// A span of time in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration {
    millis: u64,
}

impl Duration {
    /// No time at all.
    pub const ZERO: Duration = Duration { millis: 0 };

    /// A duration of `millis` milliseconds.
    pub const fn from_millis(millis: u64) -> Duration {
        Duration { millis }
    }

    /// A duration of `secs` seconds.
    pub const fn from_secs(secs: u64) -> Duration {
        Duration {
            millis: secs.saturating_mul(1000),
        }
    }

    /// The duration in milliseconds.
    pub const fn millis(self) -> u64 {
        self.millis
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.millis)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, rhs: Duration) -> Instant {
        Instant {
            biased: self.biased.saturating_add(rhs.millis),
        }
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, rhs: Duration) -> Instant {
        Instant::from_millis(self.millis().saturating_sub(rhs.millis))
    }
}

impl Add for Duration {
    type Output = Duration;
    fn add(self, rhs: Duration) -> Duration {
        Duration::from_millis(self.millis.saturating_add(rhs.millis))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn earliest_ignores_none_and_takes_the_least() {
        let t = Instant::from_millis;
        assert_eq!(earliest::<0>([]), None);
        assert_eq!(earliest([None, None]), None);
        assert_eq!(earliest([None, Some(t(5)), Some(t(3)), None]), Some(t(3)));
        assert_eq!(earliest([Some(Instant::ZERO), None]), Some(Instant::ZERO));
        assert_eq!(earliest([Some(t(u64::MAX)), None]), Some(t(u64::MAX)));
    }

    use super::*;
    use alloc::string::ToString;

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        let t = Instant::from_millis(5);
        assert_eq!(t - Duration::from_millis(10), Instant::ZERO);
        assert_eq!(
            Instant::from_millis(u64::MAX) + Duration::from_secs(1),
            Instant::from_millis(u64::MAX)
        );
        assert_eq!(Instant::from_millis(u64::MAX).millis(), u64::MAX - 1);
        assert_eq!(size_of::<Option<Instant>>(), size_of::<Instant>());
        assert_eq!(t.saturating_since(Instant::from_millis(9)), Duration::ZERO);
        assert_eq!(
            Instant::from_secs(2).saturating_since(t),
            Duration::from_millis(1995)
        );
    }

    #[test]
    fn display_is_human_readable() {
        assert_eq!(Instant::from_millis(12_345).to_string(), "12.345s");
        assert_eq!(Duration::from_millis(7).to_string(), "7ms");
    }
}
