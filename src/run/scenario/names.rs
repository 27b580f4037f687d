//! The names a template string refers to (`{{ token }}`, `{{ row.user | urlencode }}`),
//! for the file's checks of what is used before it is captured; the request issue's
//! template grammar fills them in.

/// Names a template refers to, in order: the word each `{{ ... }}` starts with (`row.user`
/// counts as `row.user`, `rand_int(1, 9)` as `rand_int`); an unclosed `{{` is an error.
pub fn referenced(text: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let inner = &rest[open + 2..];
        let Some(close) = inner.find("}}") else {
            return Err("an unclosed {{".to_string());
        };
        let expr = inner[..close].trim();
        let word: String = expr
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        if word.is_empty() {
            return Err(format!("an empty or unreadable {{{{ {expr} }}}}"));
        }
        names.push(word);
        rest = &inner[close + 2..];
    }
    Ok(names)
}

/// `text` with each `{{ name }}` of `values` (exactly that expression, spaces aside)
/// replaced by its value; other templates stay for the request's own filling.
pub fn with_constants(text: &str, values: &[(String, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let inner = &rest[open + 2..];
        let Some(close) = inner.find("}}") else {
            break;
        };
        let expr = inner[..close].trim();
        match values.iter().find(|(name, _)| name == expr) {
            Some((_, value)) => out.push_str(value),
            None => out.push_str(&rest[open..open + 2 + close + 2]),
        }
        rest = &inner[close + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_words_templates_start_with() {
        let names = referenced("{{ base }}/a/{{row.user|urlencode}}?r={{ rand_int(1, 9) }}");
        assert_eq!(names.unwrap(), ["base", "row.user", "rand_int"]);
        assert!(referenced("/a/{{ seq").is_err());
        assert!(referenced("/a/{{ }}").is_err());
        assert_eq!(referenced("/plain").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn constants_fill_only_their_own_templates() {
        let values = [("base".to_string(), "http://h:1".to_string())];
        let filled = with_constants("{{ base }}/x/{{ seq }}/{{base}}", &values);
        assert_eq!(filled, "http://h:1/x/{{ seq }}/http://h:1");
    }
}
