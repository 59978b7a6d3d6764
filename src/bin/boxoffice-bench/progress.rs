//! The progress bar on stderr, for people watching long runs.

use std::io::IsTerminal as _;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `len` steps; hidden with `--quiet` or when stderr is not a terminal (CI logs).
pub(crate) fn bar(len: u64, prefix: &'static str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template(
        "{prefix:>9} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg}",
    )
    .expect("the progress template is valid");
    ProgressBar::new(len).with_style(style).with_prefix(prefix)
}
