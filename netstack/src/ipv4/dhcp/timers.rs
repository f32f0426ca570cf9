//! The DHCP client's timing rules: retransmission backoff (RFC 2131 §4.1), the lease
//! timers T1/T2 (§4.4.5) rounded to the coarse timer (`config::DHCP_COARSE_TIMER_SECS`),
//! and the retransmission interval while renewing or rebinding.

use crate::config;
use crate::rand::Rng;
use crate::time::{Duration, Instant};

/// First retransmission delay (RFC 2131 §4.1: "4 seconds" on a 10 Mb/s Ethernet).
pub const BACKOFF_FIRST_SECS: u64 = 4;
/// The delay doubles up to this (RFC 2131 §4.1: "a maximum of 64 seconds").
pub const BACKOFF_MAX_SECS: u64 = 64;
/// The least wait between retransmissions while renewing or rebinding (§4.4.5: "down to a
/// minimum of 60 seconds").
pub const RENEW_RETRY_MIN: Duration = Duration::from_secs(60);

/// The wait after send number `attempt` (0 for the first) of an exchange: 4 s, 8 s, 16 s,
/// 32 s, then 64 s, each randomized by up to one second either way (RFC 2131 §4.1).
pub fn backoff(attempt: u8, rng: &mut Rng) -> Duration {
    let base = (BACKOFF_FIRST_SECS << attempt.min(4)).min(BACKOFF_MAX_SECS) * 1000;
    // Uniform in [base - 1 s, base + 1 s].
    Duration::from_millis(base - 1000 + rng.below(2001))
}

/// When to retransmit a renewing/rebinding REQUEST sent at `now`, with the state's end
/// (T2, or the lease's expiry) at `until`: half the time left, at least 60 s, never past
/// `until` (RFC 2131 §4.4.5).
pub fn renew_retry(now: Instant, until: Instant) -> Instant {
    let half = Duration::from_millis(until.saturating_since(now).millis() / 2);
    let wait = if half.millis() < RENEW_RETRY_MIN.millis() {
        RENEW_RETRY_MIN
    } else {
        half
    };
    (now + wait).min(until)
}

/// A lease's time in seconds as the coarse timer sees it: rounded up to a whole number of
/// `config::DHCP_COARSE_TIMER_SECS` periods (lwIP counts lease times in coarse ticks).
pub fn coarse(secs: u32) -> Duration {
    let period = u64::from(config::DHCP_COARSE_TIMER_SECS.max(1));
    Duration::from_secs(u64::from(secs).div_ceil(period) * period)
}

/// The lease times of an ACK: (T1, T2, lease) in seconds, `None` for an infinite lease.
/// Missing or inconsistent T1/T2 take RFC 2131 §4.4.5's defaults (0.5 and 0.875 of the
/// lease); a missing lease time counts as infinite.
pub fn lease_times(
    lease: Option<u32>,
    t1: Option<u32>,
    t2: Option<u32>,
) -> Option<(u32, u32, u32)> {
    let lease = lease.filter(|&l| l != u32::MAX)?;
    let default_t1 = lease / 2;
    let default_t2 = (u64::from(lease) * 7 / 8) as u32;
    let t2 = t2.filter(|&t| t <= lease).unwrap_or(default_t2);
    let t1 = t1.filter(|&t| t <= t2).unwrap_or(default_t1.min(t2));
    Some((t1, t2, lease))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_64_within_one_second() {
        let mut rng = Rng::new(7);
        for (attempt, base) in [
            (0u8, 4u64),
            (1, 8),
            (2, 16),
            (3, 32),
            (4, 64),
            (5, 64),
            (200, 64),
        ] {
            for _ in 0..200 {
                let d = backoff(attempt, &mut rng).millis();
                assert!(
                    d >= base * 1000 - 1000 && d <= base * 1000 + 1000,
                    "{attempt}: {d}"
                );
            }
        }
    }

    #[test]
    fn renew_retry_halves_with_a_floor_and_a_ceiling() {
        let now = Instant::from_secs(100);
        assert_eq!(
            renew_retry(now, Instant::from_secs(1100)),
            Instant::from_secs(600)
        );
        assert_eq!(
            renew_retry(now, Instant::from_secs(200)),
            Instant::from_secs(160)
        );
        assert_eq!(
            renew_retry(now, Instant::from_secs(130)),
            Instant::from_secs(130)
        );
        assert_eq!(renew_retry(now, now), now);
    }

    #[test]
    fn lease_time_defaults_and_sanity() {
        assert_eq!(
            lease_times(Some(3600), None, None),
            Some((1800, 3150, 3600))
        );
        assert_eq!(
            lease_times(Some(3600), Some(100), Some(200)),
            Some((100, 200, 3600))
        );
        // T2 beyond the lease, T1 beyond T2: defaults.
        assert_eq!(
            lease_times(Some(100), Some(90), Some(200)),
            Some((50, 87, 100))
        );
        assert_eq!(
            lease_times(Some(100), Some(95), Some(90)),
            Some((50, 90, 100))
        );
        assert_eq!(lease_times(Some(u32::MAX), None, None), None);
        assert_eq!(lease_times(None, Some(1), Some(2)), None);
        assert_eq!(
            lease_times(Some(u32::MAX - 1), None, None).map(|t| t.1),
            Some(3_758_096_382)
        );
    }

    #[test]
    fn coarse_rounds_up() {
        let p = u64::from(config::DHCP_COARSE_TIMER_SECS.max(1));
        assert_eq!(coarse(0), Duration::from_secs(0));
        assert_eq!(coarse(1).millis(), p * 1000);
        assert_eq!(coarse(u32::MAX).millis() % (p * 1000), 0);
    }
}
