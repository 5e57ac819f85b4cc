//! XSD regular expressions (XML Schema Part 2, appendix F) translated to the `regex` crate's
//! syntax: implicitly anchored; `^` and `$` are literals; `.` excludes CR and LF; `\s` `\w` `\i`
//! `\c` with XSD's meanings; class subtraction `[a-z-[aeiou]]` becomes `[a-z--[aeiou]]`.
//! What has no equivalent (`\p{IsBlock}` names) is reported, and that pattern is not enforced.

const S: &str = r" \t\n\r";
const I: &str = r"\p{L}_:";
const C: &str = r"\p{L}\p{Nd}\p{Mn}\p{Mc}\p{Lm}._:\-";
const W_NOT: &str = r"\p{P}\p{Z}\p{C}";

/// Translates an XSD pattern to an anchored `regex` pattern.
pub fn translate(p: &str) -> Result<String, String> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::with_capacity(p.len() + 16);
    out.push_str("^(?:");
    let mut i = 0;
    let mut depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let (s, n) = escape(&chars, i, false)?;
                out.push_str(&s);
                i += n;
                continue;
            }
            '[' => {
                let (s, n) = class(&chars, i)?;
                out.push_str(&s);
                i += n;
                continue;
            }
            '.' => out.push_str(r"[^\n\r]"),
            '^' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '(' => {
                depth += 1;
                out.push('(');
                if chars.get(i + 1) == Some(&'?') {
                    return Err("`(?` is not XSD syntax".into());
                }
            }
            ')' => {
                depth = depth.checked_sub(1).ok_or("unbalanced `)`")?;
                out.push(')');
            }
            _ => out.push(c),
        }
        i += 1;
    }
    if depth != 0 {
        return Err("unbalanced `(`".into());
    }
    out.push_str(")$");
    Ok(out)
}

/// An escape at `chars[i]` (a backslash); returns the translation and its length.
fn escape(chars: &[char], i: usize, in_class: bool) -> Result<(String, usize), String> {
    let e = *chars.get(i + 1).ok_or("a pattern ends with `\\`")?;
    let set = |pos: &str, neg: bool| -> Result<String, String> {
        match (in_class, neg) {
            (false, false) => Ok(format!("[{pos}]")),
            (false, true) => Ok(format!("[^{pos}]")),
            (true, false) => Ok(pos.to_string()),
            (true, true) => Err("a negated class escape inside a class has no translation".into()),
        }
    };
    let s = match e {
        's' => set(S, false)?,
        'S' => set(S, true)?,
        'i' => set(I, false)?,
        'I' => set(I, true)?,
        'c' => set(C, false)?,
        'C' => set(C, true)?,
        'w' => {
            set(W_NOT, true).map_err(|_| "`\\w` inside a class has no translation".to_string())?
        }
        'W' => set(W_NOT, false)?,
        'd' | 'D' | 'n' | 'r' | 't' | '\\' | '|' | '.' | '-' | '^' | '?' | '*' | '+' | '{'
        | '}' | '(' | ')' | '[' | ']' => format!("\\{e}"),
        'p' | 'P' => {
            let close = chars[i..]
                .iter()
                .position(|&c| c == '}')
                .ok_or("unclosed `\\p{`")?
                + i;
            let name: String = chars[i + 3..close].iter().collect();
            if name.starts_with("Is") {
                return Err(format!("the block name `{name}` has no translation"));
            }
            return Ok((format!("\\{e}{{{name}}}"), close - i + 1));
        }
        other => return Err(format!("`\\{other}` is not an XSD escape")),
    };
    Ok((s, 2))
}

/// A character class at `chars[i]` (`[`), with XSD subtraction.
fn class(chars: &[char], i: usize) -> Result<(String, usize), String> {
    let mut out = String::from("[");
    let mut j = i + 1;
    if chars.get(j) == Some(&'^') {
        out.push('^');
        j += 1;
    }
    while j < chars.len() {
        match chars[j] {
            ']' => {
                out.push(']');
                return Ok((out, j - i + 1));
            }
            '\\' => {
                let (s, n) = escape(chars, j, true)?;
                out.push_str(&s);
                j += n;
                continue;
            }
            '-' if chars.get(j + 1) == Some(&'[') => {
                let (sub, n) = class(chars, j + 1)?;
                out.push_str("--");
                out.push_str(&sub);
                j += 1 + n;
                continue;
            }
            // Characters the regex crate treats specially inside classes.
            c @ ('[' | '&' | '~') => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        j += 1;
    }
    Err("unclosed `[`".into())
}

/// Compiles a translated pattern with a size bound (huge counted repetitions are refused).
pub fn compile(p: &str) -> Result<regex::Regex, String> {
    let t = translate(p)?;
    regex::RegexBuilder::new(&t)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::compile;

    fn m(p: &str, s: &str) -> bool {
        compile(p)
            .unwrap_or_else(|e| panic!("{p}: {e}"))
            .is_match(s)
    }

    #[test]
    fn anchored_and_xsd_meanings() {
        assert!(m("[A-Z]{3}", "USD"));
        assert!(!m("[A-Z]{3}", "USDX"), "implicitly anchored");
        assert!(m("a^b$", "a^b$"), "^ and $ are literals");
        assert!(!m(".", "\n"));
        assert!(m(r"\s", "\t") && !m(r"\s", "\u{a0}"));
        assert!(m(r"\d+(\.\d{2})?", "12.50"));
        assert!(m(r"[0-9]{5}(-[0-9]{4})?", "12345-6789"));
        assert!(m("[a-z-[aeiou]]+", "bcd") && !m("[a-z-[aeiou]]+", "bad"));
        assert!(m(r"\i\c*", "xs:name-1") && !m(r"\i\c*", "1abc"));
        assert!(m(r"\p{Lu}\p{Ll}*", "Zoë"));
        assert!(m("a|b", "b") && !m("a|b", "ab"));
        assert!(m("[&~]", "&"));
    }

    #[test]
    fn untranslatable_and_hostile_patterns_are_errors() {
        assert!(compile(r"\p{IsBasicLatin}").is_err());
        assert!(compile("(a").is_err());
        assert!(compile("[a-").is_err());
        assert!(compile("(.{1000}){1000}").is_err(), "bounded size");
    }
}
