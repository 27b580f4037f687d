//! The conditions of `--until` and `--fail-if` against the scenario's steps: a step in
//! brackets (`p99[login]>200ms`) must be one of its steps, and a `checks` condition must
//! have checks to count, before any load.

use super::Compiled;
use crate::process::untrusted::{QUOTED_CHARS, quoted};
use crate::stats::condition::Condition;

/// Each of `conditions` (`flag`'s) with its step found among the scenario's, or the line
/// that says why not: a step without `--scenario`, a step it lacks, checks it has none of.
pub fn resolved(
    flag: &str,
    conditions: &mut [Condition],
    scenario: Option<&Compiled>,
) -> Result<(), String> {
    for c in conditions.iter_mut() {
        match scenario {
            Some(scenario) => resolved_one(flag, c, scenario)?,
            None if c.step_name().is_some() => {
                return Err(format!(
                    "{flag}: '{}' names a step, but steps are a --scenario's",
                    quoted(c.text(), QUOTED_CHARS)
                ));
            }
            None => {}
        }
    }
    Ok(())
}

/// One condition of a scenario run: its step found, and checks for it to count.
fn resolved_one(flag: &str, c: &mut Condition, scenario: &Compiled) -> Result<(), String> {
    let names: Vec<&str> = scenario.specs.iter().map(|s| s.name.as_str()).collect();
    c.resolve_step(&names).map_err(|e| format!("{flag}: {e}"))?;
    let judged = match c.step_index() {
        Some(i) => !scenario.specs[i].checks.is_empty(),
        None => scenario.specs.iter().any(|s| !s.checks.is_empty()),
    };
    if c.needs_checks() && !judged {
        let whose = match c.step_name() {
            Some(_) => "the step has none",
            None => "no step of the scenario has one",
        };
        return Err(format!(
            "{flag}: '{}' measures checks, but {whose} (check: [...] in the file)",
            quoted(c.text(), QUOTED_CHARS)
        ));
    }
    Ok(())
}
