//! What one delivery try's answer means, and when to try again: a 2xx is delivered; a
//! server error, a timeout or no connection is tried again after a growing pause, up to
//! [`Backoff::tries`] tries; any other answer (4xx: the request itself is wrong) is given
//! up at once, except 408 and 429, which ask to come back later.

use std::time::Duration;

/// What one try got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP answer: its status and the start of its body (why, for a person).
    Answered {
        /// The status code.
        status: u16,
        /// The first bytes of the body, as text.
        detail: String,
    },
    /// No answer: no connection, TLS refused, a timeout; what happened.
    NoAnswer(String),
}

/// What to do after a try.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Delivered.
    Delivered,
    /// Worth another try; why this one failed.
    Retry(String),
    /// Never going to work as it is; why.
    GiveUp(String),
}

/// The verdict on `o`.
pub fn verdict(o: &Outcome) -> Verdict {
    match o {
        Outcome::Answered { status, .. } if (200..300).contains(status) => Verdict::Delivered,
        Outcome::Answered { status, detail } => {
            let mut why = format!("HTTP {status}");
            let detail = detail.trim();
            if !detail.is_empty() {
                why.push_str(": ");
                why.push_str(detail);
            }
            if *status >= 500 || *status == 408 || *status == 429 {
                Verdict::Retry(why)
            } else {
                Verdict::GiveUp(why)
            }
        }
        Outcome::NoAnswer(why) => Verdict::Retry(why.clone()),
    }
}

/// The retry schedule: `tries` tries in all, the pause before the second `first`, each
/// pause after it `factor` times the one before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Tries in all (at least 1).
    pub tries: u32,
    /// The pause after the first failed try.
    pub first: Duration,
    /// How much longer each next pause is.
    pub factor: u32,
}

impl Default for Backoff {
    /// Three tries, 1 s then 2 s apart.
    fn default() -> Self {
        Backoff {
            tries: 3,
            first: Duration::from_secs(1),
            factor: 2,
        }
    }
}

impl Backoff {
    /// The pause after failed try number `done` (1 for the first), or `None` when that
    /// was the last.
    pub fn pause_after(&self, done: u32) -> Option<Duration> {
        if done == 0 || done >= self.tries {
            return None;
        }
        let mut d = self.first;
        for _ in 1..done {
            d = d.saturating_mul(self.factor);
        }
        Some(d)
    }
}

#[cfg(test)]
#[path = "retry_tests.rs"]
mod tests;
