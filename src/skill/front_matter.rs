//! YAML front matter of SKILL.md: strict YAML first, then a lenient line reader for the
//! packs in the wild whose values contain an unquoted `: ` (strict YAML rejects them).

use serde_norway::Value;

#[derive(Debug, Default)]
pub struct FrontMatter {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Every other key, with its value as YAML text.
    pub extra: Vec<(String, String)>,
    /// Set when strict YAML failed and the lenient reader was used.
    pub lenient_reason: Option<String>,
}

/// Splits `---\n...\n---\n` off the top of `text`. Returns the YAML, the body, and the
/// number of lines the front matter occupied (so body lines can be numbered in the file).
pub fn split(text: &str) -> Option<(&str, &str, u32)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let lines = 2 + yaml.lines().count() as u32;
            return Some((yaml, body, lines));
        }
        offset += line.len();
    }
    None
}

pub fn parse(yaml: &str) -> Result<FrontMatter, String> {
    match serde_norway::from_str::<Value>(yaml) {
        Ok(Value::Mapping(map)) => {
            let mut fm = FrontMatter::default();
            for (key, value) in map {
                let Some(key) = key.as_str().map(str::to_string) else {
                    continue;
                };
                let text = match &value {
                    Value::String(s) => s.clone(),
                    other => serde_norway::to_string(other)
                        .unwrap_or_default()
                        .trim_end()
                        .to_string(),
                };
                match key.as_str() {
                    "name" => fm.name = Some(text),
                    "description" => fm.description = Some(text),
                    _ => fm.extra.push((key, text)),
                }
            }
            Ok(fm)
        }
        Ok(Value::Null) => Err("front matter is empty".into()),
        Ok(_) => Err("front matter is not a mapping of keys to values".into()),
        Err(strict) => lenient(yaml)
            .ok_or_else(|| format!("front matter is not valid YAML: {strict}"))
            .map(|mut fm| {
                fm.lenient_reason = Some(strict.to_string());
                fm
            }),
    }
}

/// `key: rest of the line` per top-level line; continuation lines (indented) are appended.
fn lenient(yaml: &str) -> Option<FrontMatter> {
    let mut fm = FrontMatter::default();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for line in yaml.lines() {
        if line.starts_with([' ', '\t']) {
            let (_, value) = pairs.last_mut()?;
            value.push(' ');
            value.push_str(line.trim());
            continue;
        }
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once(':')?;
        let key = key.trim();
        if key.is_empty() || key.contains(' ') {
            return None;
        }
        let value = value.trim();
        // Only plain scalars are read leniently; flow collections, anchors and block
        // scalars that strict YAML rejected stay rejected.
        if value.starts_with(['[', '{', '&', '*', '|', '>', '!', '@', '`']) {
            return None;
        }
        pairs.push((key.to_string(), unquote(value).to_string()));
    }
    for (key, value) in pairs {
        match key.as_str() {
            "name" => fm.name = Some(value),
            "description" => fm.description = Some(value),
            _ => fm.extra.push((key, value)),
        }
    }
    fm.name.as_ref()?;
    Some(fm)
}

fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_yaml_keeps_unknown_keys() {
        let fm = parse("name: x\ndescription: \"a: b\"\nlicense: MIT\n").unwrap();
        assert_eq!(fm.name.as_deref(), Some("x"));
        assert_eq!(fm.description.as_deref(), Some("a: b"));
        assert_eq!(fm.extra, vec![("license".to_string(), "MIT".to_string())]);
        assert!(fm.lenient_reason.is_none());
    }

    #[test]
    fn unquoted_colon_falls_back_to_lenient() {
        let fm = parse("name: x\ndescription: Use it for: things `a: b`.\n").unwrap();
        assert_eq!(
            fm.description.as_deref(),
            Some("Use it for: things `a: b`.")
        );
        assert!(fm.lenient_reason.is_some());
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(parse("[[[ not yaml").is_err());
        assert!(parse("name: [unclosed\n  description: x: y\n").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn split_counts_lines() {
        let (yaml, body, lines) = split("---\nname: a\n---\n# T\n").unwrap();
        assert_eq!(yaml, "name: a\n");
        assert_eq!(body, "# T\n");
        assert_eq!(lines, 3);
    }
}
