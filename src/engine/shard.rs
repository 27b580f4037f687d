//! `--shard I/N`: this process does its share of a run split across N processes (machines,
//! pods of a Kubernetes Indexed Job), so that together they do what one would.

use crate::process::untrusted::{QUOTED_CHARS, quoted};
use serde::{Deserialize, Serialize};

/// The environment variable a Kubernetes Indexed Job gives each pod: its index, from 0.
pub const INDEX_VARIABLE: &str = "JOB_COMPLETION_INDEX";

/// One process's place in a split run: `index` of `count`, from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

/// `--shard` as given: a fixed `I/N`, or `auto` (the index from the environment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardArg {
    Fixed(Shard),
    Auto,
}

impl ShardArg {
    /// Parses `I/N` (0 ≤ I < N) or `auto`.
    pub fn parse(text: &str) -> Result<ShardArg, String> {
        let t = text.trim();
        if t == "auto" {
            return Ok(ShardArg::Auto);
        }
        let bad = || {
            format!(
                "'{}' is not a shard: use I/N with 0 <= I < N (0/3, 1/3, 2/3) or auto",
                quoted(text, QUOTED_CHARS)
            )
        };
        let (i, n) = t.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.parse::<u64>().map_err(|_| bad())?,
            n.parse::<u64>().map_err(|_| bad())?,
        );
        match index < count {
            true => Ok(ShardArg::Fixed(Shard { index, count })),
            false => Err(bad()),
        }
    }

    /// The shard: fixed, or `auto` with `--shards N` and the index read from `index_var`
    /// (the value of `JOB_COMPLETION_INDEX`).
    pub fn resolve(self, shards: Option<u64>, index_var: Option<&str>) -> Result<Shard, String> {
        let count = match (self, shards) {
            (ShardArg::Fixed(s), None) => return Ok(s),
            (ShardArg::Fixed(_), Some(_)) => {
                return Err("--shards goes with --shard auto; --shard I/N names N itself".into());
            }
            (ShardArg::Auto, None) => return Err("--shard auto needs --shards N".into()),
            (ShardArg::Auto, Some(n)) => n,
        };
        let text = index_var.ok_or(format!("--shard auto: {INDEX_VARIABLE} is not set"))?;
        let index = text
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|i| *i < count)
            .ok_or_else(|| {
                format!(
                    "--shard auto: {INDEX_VARIABLE}='{}' is not an index below --shards {count}",
                    quoted(text, QUOTED_CHARS)
                )
            })?;
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// This shard's part of `total`: equal parts, the remainder one each to the lowest
    /// indexes, so the parts add up to `total` exactly.
    pub fn share(&self, total: u64) -> u64 {
        total / self.count + u64::from(self.index < total % self.count)
    }

    /// This shard's part of a rate: an equal part.
    pub fn share_rate(&self, rate: f64) -> f64 {
        rate / self.count as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shares_add_up_with_the_remainder_to_the_lowest_indexes() {
        let parts: Vec<u64> = (0..3)
            .map(|index| Shard { index, count: 3 }.share(1000))
            .collect();
        assert_eq!(parts, [334, 333, 333]);
        let parts: Vec<u64> = (0..4)
            .map(|index| Shard { index, count: 4 }.share(2))
            .collect();
        assert_eq!(parts, [1, 1, 0, 0]);
        assert_eq!(Shard { index: 1, count: 4 }.share_rate(1000.0), 250.0);
    }

    #[test]
    fn shards_parse_and_auto_reads_the_job_index() {
        assert_eq!(
            ShardArg::parse("1/3"),
            Ok(ShardArg::Fixed(Shard { index: 1, count: 3 }))
        );
        for bad in ["3/3", "1", "a/b", "-1/3", "1/0"] {
            assert!(ShardArg::parse(bad).is_err(), "{bad}");
        }
        let auto = ShardArg::parse("auto").expect("auto");
        assert_eq!(
            auto.resolve(Some(4), Some("2")),
            Ok(Shard { index: 2, count: 4 })
        );
        assert!(auto.resolve(Some(4), Some("4")).is_err());
        assert!(auto.resolve(Some(4), None).is_err());
        assert!(auto.resolve(None, Some("0")).is_err());
    }
}
