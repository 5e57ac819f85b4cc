//! The commands' results on standard output, and what a closed pipe means: a reader that stops
//! early (`soapbridge openapi | head -1`) ends the command quietly, with exit status 0, where
//! `print!` would panic.

use std::io::Write;

/// Writes `text` to standard output, flushed.
pub(super) fn print(text: impl std::fmt::Display) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    write!(out, "{text}")?;
    out.flush()
}

/// [`print`] and a newline.
pub(super) fn println(text: impl std::fmt::Display) -> std::io::Result<()> {
    print(format_args!("{text}\n"))
}

/// Whether a command failed only because its reader closed standard output.
pub(super) fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_pipe_anywhere_in_the_chain_is_a_closed_pipe() {
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(closed_pipe(&anyhow::Error::from(pipe).context("writing")));
        let other = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert!(!closed_pipe(&anyhow::Error::from(other)));
        assert!(!closed_pipe(&anyhow::anyhow!("broken pipe")));
    }
}
