//! The `Nonce` of each signed attempt: [`Nonce`], the [`NonceSource`] the
//! client draws from, its production source [`RandomNonces`], and
//! [`SequentialNonces`] for reproducible requests (`tcdn --nonce`, tests).

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

/// The `Nonce` parameter: a positive integer in `1..=u32::MAX`.
///
/// The documentation asks for "a random positive integer" ("UInt") and
/// publishes no upper bound (docs/protocol.md §1.2, \[U\]). The legacy Python SDK
/// draws up to 2^63 − 1 and the PHP sample uses `rand()` (up to 2^31 − 1);
/// we stay within the documented "UInt" type, 1 to 4294967295, which any
/// server integer type holds. Zero is excluded because it is not positive.
///
/// ```
/// use tcdn::nonce::Nonce;
/// let nonce: Nonce = "12345".parse()?;
/// assert_eq!(nonce.get(), 12345);
/// assert!("0".parse::<Nonce>().is_err());
/// assert!("4294967296".parse::<Nonce>().is_err());
/// # Ok::<(), tcdn::nonce::NonceError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nonce(NonZeroU32);

impl Nonce {
    /// The smallest nonce, 1.
    pub const MIN: Self = Self(NonZeroU32::MIN);
    /// The largest nonce, 4294967295.
    pub const MAX: Self = Self(NonZeroU32::MAX);

    /// A nonce from a value; `None` for zero.
    pub const fn new(value: u32) -> Option<Self> {
        match NonZeroU32::new(value) {
            Some(value) => Some(Self(value)),
            None => None,
        }
    }

    /// The value.
    pub const fn get(self) -> u32 {
        self.0.get()
    }
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl FromStr for Nonce {
    type Err = NonceError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.parse::<u32>()
            .ok()
            .and_then(Self::new)
            .ok_or_else(|| NonceError {
                text: text.chars().take(40).collect(),
            })
    }
}

/// A text that is not a nonce (an integer from 1 to 4294967295).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonceError {
    text: String,
}

impl NonceError {
    /// The kind of problem (there is one).
    pub fn kind(&self) -> NonceErrorKind {
        NonceErrorKind::OutOfRange
    }
}

/// The kind of a [`NonceError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NonceErrorKind {
    /// Not an integer from 1 to 4294967295.
    OutOfRange,
}

impl fmt::Display for NonceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "nonce {:?} is not valid: it must be an integer from 1 to {}",
            self.text,
            u32::MAX
        )
    }
}

impl std::error::Error for NonceError {}

/// Produces a fresh [`Nonce`] for each signed attempt.
pub trait NonceSource: Send + Sync + fmt::Debug {
    /// The next nonce.
    fn next_nonce(&self) -> Nonce;
}

/// Uniformly random nonces in `1..=u32::MAX` from `fastrand` (a fast,
/// non-cryptographic generator seeded from the OS; a nonce must be
/// unpredictable enough to be unique, not secret).
#[derive(Debug, Default)]
pub struct RandomNonces {
    _private: (),
}

impl RandomNonces {
    /// The default source.
    pub fn new() -> Self {
        Self::default()
    }
}

impl NonceSource for RandomNonces {
    fn next_nonce(&self) -> Nonce {
        Nonce(NonZeroU32::new(fastrand::u32(1..=u32::MAX)).unwrap_or(NonZeroU32::MIN))
    }
}

/// Nonces `start`, `start + 1`, ... (wrapping from 4294967295 to 1): fixed
/// and reproducible, for a dry run that must print the same requests each
/// time (`tcdn --nonce`) and for tests. Unlike [`RandomNonces`] they are
/// predictable, which a server's replay check does not mind as long as
/// each is used once.
///
/// ```
/// use tcdn::nonce::{Nonce, NonceSource, SequentialNonces};
/// let source = SequentialNonces::new(Nonce::MAX);
/// assert_eq!(source.next_nonce(), Nonce::MAX);
/// assert_eq!(source.next_nonce(), Nonce::MIN);
/// ```
#[derive(Debug)]
pub struct SequentialNonces {
    next: AtomicU32,
}

impl SequentialNonces {
    /// Starts at `start`.
    pub fn new(start: Nonce) -> Self {
        Self {
            next: AtomicU32::new(start.get()),
        }
    }
}

impl NonceSource for SequentialNonces {
    fn next_nonce(&self) -> Nonce {
        let value = self
            .next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.checked_add(1).unwrap_or(1))
            })
            .unwrap_or(1);
        Nonce::new(value).unwrap_or(Nonce::MIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequential_nonces_count_up_and_skip_zero() {
        let source = SequentialNonces::new(Nonce::new(u32::MAX - 1).unwrap());
        let got: Vec<u32> = (0..3).map(|_| source.next_nonce().get()).collect();
        assert_eq!(got, [u32::MAX - 1, u32::MAX, 1]);
    }

    // (Never 0: `Nonce` cannot hold it.)
    #[test]
    fn random_nonces_vary() {
        let source = RandomNonces::new();
        let nonces: std::collections::HashSet<u32> =
            (0..64).map(|_| source.next_nonce().get()).collect();
        assert!(nonces.len() > 60);
    }
}
