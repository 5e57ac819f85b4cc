//! `soapbridge completions <SHELL>`: the shell's completion script for every command and option,
//! from the same definitions the parser uses (`clap_complete`), on standard output.

use clap::CommandFactory;

/// `completions` options.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell: bash, elvish, fish, powershell or zsh.
    pub shell: clap_complete::Shell,
}

pub(super) fn run(args: CompletionsArgs) -> anyhow::Result<bool> {
    let mut script = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut super::Cli::command(),
        "soapbridge",
        &mut script,
    );
    super::out::print(String::from_utf8_lossy(&script))?;
    Ok(true)
}
