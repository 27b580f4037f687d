//! The control API's bearer token: given (`--control-token`, `SLUICE_CONTROL_TOKEN`) or
//! drawn from the OS's random source, and compared in constant time.

/// A bearer token. Its `Debug` hides it, so it never reaches a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    /// The token given; refused when empty or not printable ASCII (it goes in a header).
    pub fn given(text: &str) -> Result<Token, String> {
        let ok = !text.is_empty() && text.bytes().all(|b| b.is_ascii_graphic());
        match ok {
            true => Ok(Token(text.to_string())),
            false => {
                Err("--control-token: the token must be printable ASCII without spaces".into())
            }
        }
    }

    /// 128 random bits from the OS, as 32 hex digits.
    pub fn generate() -> Result<Token, String> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| format!("cannot draw a control token: {e}"))?;
        Ok(Token(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// The token itself, to print once when it was drawn, or to send.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// Whether an `Authorization` header value is `Bearer <this token>`; the comparison
    /// takes the same time wherever the first difference is.
    pub fn admits(&self, authorization: Option<&[u8]>) -> bool {
        let Some(given) = authorization.and_then(|v| v.strip_prefix(b"Bearer ".as_slice())) else {
            return false;
        };
        let want = self.0.as_bytes();
        let differences = given
            .iter()
            .zip(want)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        differences == 0 && given.len() == want.len()
    }
}

/// `--control-token`: a worker's API token, or the token `sluice fleet` steers its workers with.
#[derive(Debug, clap::Args)]
pub struct ControlTokenArg {
    /// The control API's bearer token: a worker's (default: drawn at random and printed on
    /// stderr), or the workers' for sluice fleet (watching needs none, steering does).
    #[arg(
        long = "control-token",
        value_name = "TOKEN",
        env = "SLUICE_CONTROL_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_is_admitted() {
        let t = Token::given("s3cret").unwrap();
        assert!(t.admits(Some(b"Bearer s3cret")));
        for wrong in [
            &b"Bearer s3cre"[..],
            b"Bearer s3cret2",
            b"bearer s3cret",
            b"s3cret",
            b"Bearer ",
            b"",
        ] {
            assert!(
                !t.admits(Some(wrong)),
                "{:?}",
                String::from_utf8_lossy(wrong)
            );
        }
        assert!(!t.admits(None));
        assert_eq!(format!("{t:?}"), "Token(…)", "Debug never shows it");
    }

    #[test]
    fn drawn_tokens_differ_and_bad_ones_are_refused() {
        let (a, b) = (Token::generate().unwrap(), Token::generate().unwrap());
        assert_eq!(a.reveal().len(), 32);
        assert_ne!(a, b);
        assert!(Token::given("").is_err());
        assert!(Token::given("has space").is_err());
    }
}
