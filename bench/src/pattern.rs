//! The transferred bytes: a pseudo-random stream with a period of 131071 bytes (a prime, so
//! it never lines up with segment or buffer sizes), checked in order on the receiving side.
//!
//! A chunk of up to one period is a contiguous slice of a buffer holding two periods, so
//! sending and checking cost one copy or one comparison, the same for every stack.

/// Length of one period of the stream.
pub const PERIOD: usize = 131_071;

/// The stream's bytes and a cursor on each side.
#[derive(Debug, Clone)]
pub struct Pattern {
    bytes: Vec<u8>,
}

impl Default for Pattern {
    fn default() -> Pattern {
        Pattern::new()
    }
}

impl Pattern {
    /// Two periods of xorshift output.
    pub fn new() -> Pattern {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let one: Vec<u8> = (0..PERIOD)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let mut bytes = one.clone();
        bytes.extend_from_slice(&one);
        Pattern { bytes }
    }

    /// The stream's bytes from `offset`, at most `max` of them (and at most one period).
    pub fn chunk(&self, offset: u64, max: u64) -> &[u8] {
        let start = (offset % PERIOD as u64) as usize;
        let len = max.min(PERIOD as u64) as usize;
        &self.bytes[start..start + len]
    }

    /// Whether `data` is the stream's content at `offset`; `data` longer than one period is
    /// checked a period at a time.
    pub fn matches(&self, offset: u64, data: &[u8]) -> bool {
        let mut off = offset;
        data.chunks(PERIOD).all(|part| {
            let ok = self.chunk(off, part.len() as u64) == part;
            off += part.len() as u64;
            ok
        })
    }

    /// Writes `len` bytes of the stream from offset 0 to `path` (for a Linux sender).
    pub fn write_file(&self, path: &std::path::Path, len: u64) -> std::io::Result<()> {
        use std::io::Write as _;
        let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
        let mut off = 0;
        while off < len {
            let part = self.chunk(off, len - off);
            file.write_all(part)?;
            off += part.len() as u64;
        }
        file.flush()
    }
}

/// The receiving side: counts bytes and checks each piece against the stream.
#[derive(Debug, Clone, Default)]
pub struct Checker {
    /// Bytes received so far.
    pub received: u64,
    /// Offset of the first byte that differed, if any did.
    pub first_error: Option<u64>,
}

impl Checker {
    /// Checks and counts one received piece.
    pub fn feed(&mut self, pattern: &Pattern, data: &[u8]) {
        if self.first_error.is_none() && !pattern.matches(self.received, data) {
            let at = data
                .iter()
                .enumerate()
                .position(|(i, b)| pattern.chunk(self.received + i as u64, 1) != [*b])
                .unwrap_or(0);
            self.first_error = Some(self.received + at as u64);
        }
        self.received += data.len() as u64;
    }

    /// `Ok` when exactly `want` bytes arrived and all were right.
    pub fn verdict(&self, stack: &'static str, want: u64) -> Result<(), crate::BenchError> {
        if let Some(offset) = self.first_error {
            return Err(crate::BenchError::Corrupt { stack, offset });
        }
        if self.received != want {
            return Err(crate::BenchError::Short {
                stack,
                got: self.received,
                want,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_wrap_around_the_period_and_errors_are_located() {
        let p = Pattern::new();
        let mut c = Checker::default();
        let mut off = 0u64;
        while off < 3 * PERIOD as u64 {
            let part = p.chunk(off, 70_000).to_vec();
            c.feed(&p, &part);
            off += part.len() as u64;
        }
        assert!(c.verdict("t", off).is_ok());
        let mut bad = p.chunk(off, 100).to_vec();
        bad[7] ^= 1;
        c.feed(&p, &bad);
        assert_eq!(c.first_error, Some(off + 7));
    }
}
