//! Arguments of `watch`'s notifications: where to (`--notify`), which events, in which
//! format, how long a try may take.

use crate::notify::{Format, NotifyConfig, Selection, Target};
use clap::{Args, ValueEnum};
use std::time::Duration;

/// `--notify-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NotifyFormatArg {
    /// The event's JSON line, as --jsonl prints it.
    Webhook,
    /// An ntfy message: a short text with a title, tags and a priority.
    Ntfy,
}

/// Notifications of watch events.
#[derive(Args, Debug, Clone)]
pub struct NotifyArgs {
    /// POST each chosen event (--notify-on) to URL, repeatable: http(s)://… gets the
    /// event's JSON line (a webhook; --notify-format ntfy for an ntfy server),
    /// ntfy://HOST/TOPIC (ntfy+http:// without TLS) an ntfy message. Sent from a thread
    /// of its own with retries; a slow receiver never delays a scan.
    #[arg(long, value_name = "URL")]
    pub notify: Vec<Target>,

    /// What --notify sends to http:// and https:// URLs.
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = NotifyFormatArg::Webhook,
          requires = "notify")]
    pub notify_format: NotifyFormatArg,

    /// Which events to notify, a comma list: new, appeared, gone, gone-known (devices
    /// with a label), unknown (devices without one that appear or go), present, address,
    /// alert (link-health alerts, mac-changed), router, interface, all.
    #[arg(long, value_name = "KINDS", default_value_t = Selection::default(), requires = "notify")]
    pub notify_on: Selection,

    /// How long one try may take, connecting included (3 tries at most).
    #[arg(long, value_name = "DURATION", default_value = "10s",
          value_parser = super::parse_duration, requires = "notify")]
    pub notify_timeout: Duration,
}

impl NotifyArgs {
    /// The notifications these options ask for.
    pub fn config(&self) -> NotifyConfig {
        let format = match self.notify_format {
            NotifyFormatArg::Webhook => Format::Webhook,
            NotifyFormatArg::Ntfy => Format::Ntfy,
        };
        NotifyConfig {
            targets: (self.notify.iter())
                .map(|t| t.clone().with_format(format))
                .collect(),
            on: self.notify_on.clone(),
            timeout: self.notify_timeout,
        }
    }
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
