//! The bounds of the two knobs, checked in this one place whatever steers them: `-c` and
//! `-q`, stages, a replay, the control API, the fleet; the keys and the generator clamp to
//! the same numbers.

/// The highest concurrency limit anything can ask for.
pub const MAX_LIMIT: usize = 1_000_000;

/// The lowest rate other than 0, in requests per second.
pub const MIN_RATE: f64 = 0.01;
/// The highest rate anything can ask for, in requests per second.
pub const MAX_RATE: f64 = 10_000_000.0;
/// A rate sluice can keep, from wherever it comes (`-q`, stages, a replay, the control API):
/// `MIN_RATE` to `MAX_RATE` requests a second.
pub fn check_rate(rate: f64) -> Result<f64, String> {
    match rate {
        r if r.is_nan() => Err("a rate is a number of requests a second".into()),
        r if r < MIN_RATE => Err(format!("must be at least {MIN_RATE} a second")),
        r if r > MAX_RATE => Err(format!("is above the highest rate, {MAX_RATE}")),
        r => Ok(r),
    }
}

/// `check_rate`, or 0 (nothing due): what a schedule or the control API may set.
pub fn check_rate_or_zero(rate: f64) -> Result<f64, String> {
    match rate {
        0.0 => Ok(0.0),
        r => check_rate(r),
    }
}

/// A concurrency limit from wherever it comes (`-c`, stages, a replay): a whole number
/// from 1 to `MAX_LIMIT`, the bounds the keys and the generator keep too.
pub fn check_limit(limit: f64) -> Result<usize, String> {
    match limit {
        n if n.fract() != 0.0 || n.is_nan() => Err("is not a whole number".into()),
        n if n < 1.0 => Err("must be at least 1".into()),
        n if n > MAX_LIMIT as f64 => Err(format!("is above the highest limit, {MAX_LIMIT}")),
        n => Ok(n as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_limits_from_anywhere_keep_one_set_of_bounds() {
        assert_eq!(check_rate(MAX_RATE), Ok(MAX_RATE));
        assert!(check_rate(1e300).unwrap_err().contains("highest rate"));
        assert!(check_rate(0.0).unwrap_err().contains("at least"));
        assert_eq!(check_rate_or_zero(0.0), Ok(0.0));
        assert!(check_rate_or_zero(-3.0).is_err());
        assert_eq!(check_limit(1e6), Ok(MAX_LIMIT));
        for bad in [1e300, 0.0, 2.5, -1.0, f64::NAN] {
            assert!(check_limit(bad).is_err(), "{bad}");
        }
    }
}
