//! Progress for long operations: a bar on a terminal, nothing when output is piped.

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar over `total` entries (a spinner when the total is unknown).
pub fn entries(total: Option<u64>, verb: &str) -> ProgressBar {
    let bar = match total {
        Some(total) => ProgressBar::new(total),
        None => ProgressBar::new_spinner(),
    };
    let template = if total.is_some() {
        format!("{verb} {{bar:40}} {{pos}}/{{len}} entries ({{per_sec}}, eta {{eta}})")
    } else {
        format!("{verb} {{spinner}} {{pos}} entries ({{per_sec}})")
    };
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}
