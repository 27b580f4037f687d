//! The `sluice` binary: parse, run, map errors to exit codes (0 done, 1 runtime, 2 bad input,
//! 3 a `--fail-if` bar missed).

use clap::FromArgMatches;
use clap::error::ErrorKind as ClapKind;
use sluicegate::run::cli::{self, Cli, Command};
use sluicegate::run::config::Config;
use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    let parsed = cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ClapKind::DisplayHelp | ClapKind::DisplayVersion) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            sluicegate::say!("sluice: {}", one_line(&e.to_string()));
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Some(Command::Demo(args)) => sluicegate::run_demo(args),
        Some(Command::Plot(args)) => sluicegate::report::plot::run_plot(args),
        Some(Command::Merge(args)) => sluicegate::report::merge::run_merge(args),
        Some(Command::Fleet(args)) => sluicegate::fleet::run_fleet(args),
        Some(Command::Completions { shell }) => print_generated(|out| {
            clap_complete::generate(shell, &mut cli::command(), "sluice", out);
            Ok(())
        }),
        Some(Command::Man) => {
            print_generated(|out| clap_mangen::Man::new(cli::command()).render(out))
        }
        None => {
            let can_draw = sluicegate::view::can_draw(
                std::io::stdout().is_terminal(),
                std::env::var("TERM").ok().as_deref(),
            );
            match Config::from_args(cli.run, can_draw).and_then(sluicegate::run) {
                Ok(summary) if summary.failed_a_threshold() => {
                    report_missed_bars(&summary);
                    return ExitCode::from(3);
                }
                other => other.map(|_| ()),
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            sluicegate::say!("sluice: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

/// One line on stderr per `--fail-if` condition that held, whatever the summary's format
/// or destination, so a CI log says why the job failed.
fn report_missed_bars(summary: &sluicegate::report::Summary) {
    for t in summary.thresholds.iter().filter(|t| !t.passed) {
        let measured = t
            .measured
            .map_or("no value".to_string(), |v| format!("{v} {}", t.unit));
        sluicegate::say!(
            "sluice: --fail-if {} held (measured {measured})",
            t.condition
        );
    }
}

/// Writes generated text (completions, man page) to stdout; a closed pipe is not an error.
fn print_generated(
    write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>,
) -> Result<(), sluicegate::process::error::Error> {
    let mut text = Vec::new();
    write(&mut text)?;
    sluicegate::report::output::print_stdout(&text)?;
    Ok(())
}

/// Folds clap's multi-line message into one line, up to its usage block.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty())
        .map(|l| l.trim_start_matches("error: "))
        .collect::<Vec<_>>()
        .join("; ")
}

/// mimalloc: a request makes about six small allocations; glibc's malloc spent ~16% of
/// the client's instructions on them (callgrind), mimalloc far less. Its v2 line, because
/// v3 sends every Rust allocation (always "aligned") down a slower generic path: 1000 vs
/// 520 instructions a request. It stands in for libc's malloc too ("override"): glibc's
/// gave each new thread an arena of 64 MiB of address space for the few allocations libc
/// makes itself (`--threads 64` reserved 4.2 GB).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
