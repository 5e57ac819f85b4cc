//! XSD regular expressions (XML Schema Part 2, appendix F) translated to the `regex` crate's
//! syntax: implicitly anchored; `^` and `$` are literals; `.` excludes CR and LF; `\s` `\w` `\i`
//! `\c` with XSD's meanings; class subtraction `[a-z-[aeiou]]` becomes `[a-z--[aeiou]]`.
//! What has no equivalent (`\p{IsBlock}` names) is reported, and that pattern is not enforced.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

const S: &str = r" \t\n\r";
const I: &str = r"\p{L}_:";
const C: &str = r"\p{L}\p{Nd}\p{Mn}\p{Mc}\p{Lm}._:\-";
const W_NOT: &str = r"\p{P}\p{Z}\p{C}";

/// Why an XSD pattern cannot be enforced: not XSD syntax (`at` is the index of the character,
/// counted in characters, where the problem starts), refused by the `regex` crate, or too
/// large once compiled.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RegexError {
    /// Is raised when a group opens with `(?` (Perl's extensions are not XSD).
    #[error("`(?` is not XSD syntax")]
    GroupExtension { at: usize },
    /// Is raised when a `)` closes no group.
    #[error("unbalanced `)`")]
    UnbalancedClose { at: usize },
    /// Is raised when a group is still open at the end of the pattern.
    #[error("unbalanced `(`")]
    UnbalancedOpen,
    /// Is raised when the pattern ends with a lone `\`.
    #[error("a pattern ends with `\\`")]
    TrailingBackslash { at: usize },
    /// Is raised when a `\p{` or `\P{` has no closing `}`.
    #[error("unclosed `\\p{{`")]
    UnclosedCategory { at: usize },
    /// Is raised when `\p` or `\P` (`escape`) is not followed by `{`.
    #[error("`\\{escape}` must be followed by `{{name}}`")]
    CategoryWithoutBrace { at: usize, escape: char },
    /// Is raised when `\p{IsName}` names a block XML Schema 1.0 does not name.
    #[error("`{name}` is not a Unicode block XML Schema 1.0 names")]
    UnknownBlock { at: usize, name: String },
    /// Is raised when `\p{name}` names no character category.
    #[error("`{name}` is not a character category")]
    BadCategory { at: usize, name: String },
    /// Is raised when a `\` is followed by a character XSD gives no meaning (`escape`).
    #[error("`\\{escape}` is not an XSD escape")]
    UnknownEscape { at: usize, escape: char },
    /// Is raised when a character class `[` has no closing `]`.
    #[error("unclosed `[`")]
    UnclosedClass { at: usize },
    /// Is raised when the `regex` crate refuses the translated pattern.
    #[error(transparent)]
    Engine(regex::Error),
    /// Is raised when the compiled program would be larger than `limit` bytes.
    #[error("the pattern compiles to more than {limit} bytes")]
    TooBig { limit: usize },
}

/// Translates an XSD pattern to an anchored `regex` pattern.
pub fn translate(p: &str) -> Result<String, RegexError> {
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
                    return Err(RegexError::GroupExtension { at: i });
                }
            }
            ')' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or(RegexError::UnbalancedClose { at: i })?;
                out.push(')');
            }
            _ => out.push(c),
        }
        i += 1;
    }
    if depth != 0 {
        return Err(RegexError::UnbalancedOpen);
    }
    out.push_str(")$");
    Ok(out)
}

/// An escape at `chars[i]` (a backslash); returns the translation and its length.
fn escape(chars: &[char], i: usize, in_class: bool) -> Result<(String, usize), RegexError> {
    let e = *chars
        .get(i + 1)
        .ok_or(RegexError::TrailingBackslash { at: i })?;
    // Inside a class a negated set is a nested class (`[a[^b]]`), which the regex crate has.
    let set = |pos: &str, neg: bool| -> String {
        match (in_class, neg) {
            (false, false) => format!("[{pos}]"),
            (_, true) => format!("[^{pos}]"),
            (true, false) => pos.to_string(),
        }
    };
    let s = match e {
        's' => set(S, false),
        'S' => set(S, true),
        'i' => set(I, false),
        'I' => set(I, true),
        'c' => set(C, false),
        'C' => set(C, true),
        'w' => set(W_NOT, true),
        'W' => set(W_NOT, false),
        'd' | 'D' | 'n' | 'r' | 't' | '\\' | '|' | '.' | '-' | '^' | '?' | '*' | '+' | '{'
        | '}' | '(' | ')' | '[' | ']' => format!("\\{e}"),
        'p' | 'P' => {
            let close = chars[i..]
                .iter()
                .position(|&c| c == '}')
                .ok_or(RegexError::UnclosedCategory { at: i })?
                + i;
            if chars.get(i + 2) != Some(&'{') {
                return Err(RegexError::CategoryWithoutBrace { at: i, escape: e });
            }
            let name: String = chars[i + 3..close].iter().collect();
            if let Some(block) = name.strip_prefix("Is") {
                // Unicode blocks (XSD 1.0 names them; the regex crate does not): their ranges.
                let Some(ranges) = block_ranges(block) else {
                    return Err(RegexError::UnknownBlock { at: i, name });
                };
                return Ok((set(&ranges, e == 'P'), close - i + 1));
            }
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(RegexError::BadCategory { at: i, name });
            }
            return Ok((format!("\\{e}{{{name}}}"), close - i + 1));
        }
        other => {
            return Err(RegexError::UnknownEscape {
                at: i,
                escape: other,
            });
        }
    };
    Ok((s, 2))
}

/// The XML Schema 1.0 block names (Part 2, F.1.1; Unicode 3.1 blocks) as `regex` class ranges.
/// Surrogate blocks hold no characters a string can have: an empty class.
fn block_ranges(name: &str) -> Option<String> {
    const BLOCKS: &[(&str, &[(u32, u32)])] = &[
        ("BasicLatin", &[(0x0000, 0x007F)]),
        ("Latin-1Supplement", &[(0x0080, 0x00FF)]),
        ("LatinExtended-A", &[(0x0100, 0x017F)]),
        ("LatinExtended-B", &[(0x0180, 0x024F)]),
        ("IPAExtensions", &[(0x0250, 0x02AF)]),
        ("SpacingModifierLetters", &[(0x02B0, 0x02FF)]),
        ("CombiningDiacriticalMarks", &[(0x0300, 0x036F)]),
        ("Greek", &[(0x0370, 0x03FF)]),
        ("Cyrillic", &[(0x0400, 0x04FF)]),
        ("Armenian", &[(0x0530, 0x058F)]),
        ("Hebrew", &[(0x0590, 0x05FF)]),
        ("Arabic", &[(0x0600, 0x06FF)]),
        ("Syriac", &[(0x0700, 0x074F)]),
        ("Thaana", &[(0x0780, 0x07BF)]),
        ("Devanagari", &[(0x0900, 0x097F)]),
        ("Bengali", &[(0x0980, 0x09FF)]),
        ("Gurmukhi", &[(0x0A00, 0x0A7F)]),
        ("Gujarati", &[(0x0A80, 0x0AFF)]),
        ("Oriya", &[(0x0B00, 0x0B7F)]),
        ("Tamil", &[(0x0B80, 0x0BFF)]),
        ("Telugu", &[(0x0C00, 0x0C7F)]),
        ("Kannada", &[(0x0C80, 0x0CFF)]),
        ("Malayalam", &[(0x0D00, 0x0D7F)]),
        ("Sinhala", &[(0x0D80, 0x0DFF)]),
        ("Thai", &[(0x0E00, 0x0E7F)]),
        ("Lao", &[(0x0E80, 0x0EFF)]),
        ("Tibetan", &[(0x0F00, 0x0FFF)]),
        ("Myanmar", &[(0x1000, 0x109F)]),
        ("Georgian", &[(0x10A0, 0x10FF)]),
        ("HangulJamo", &[(0x1100, 0x11FF)]),
        ("Ethiopic", &[(0x1200, 0x137F)]),
        ("Cherokee", &[(0x13A0, 0x13FF)]),
        ("UnifiedCanadianAboriginalSyllabics", &[(0x1400, 0x167F)]),
        ("Ogham", &[(0x1680, 0x169F)]),
        ("Runic", &[(0x16A0, 0x16FF)]),
        ("Khmer", &[(0x1780, 0x17FF)]),
        ("Mongolian", &[(0x1800, 0x18AF)]),
        ("LatinExtendedAdditional", &[(0x1E00, 0x1EFF)]),
        ("GreekExtended", &[(0x1F00, 0x1FFF)]),
        ("GeneralPunctuation", &[(0x2000, 0x206F)]),
        ("SuperscriptsandSubscripts", &[(0x2070, 0x209F)]),
        ("CurrencySymbols", &[(0x20A0, 0x20CF)]),
        ("CombiningMarksforSymbols", &[(0x20D0, 0x20FF)]),
        ("LetterlikeSymbols", &[(0x2100, 0x214F)]),
        ("NumberForms", &[(0x2150, 0x218F)]),
        ("Arrows", &[(0x2190, 0x21FF)]),
        ("MathematicalOperators", &[(0x2200, 0x22FF)]),
        ("MiscellaneousTechnical", &[(0x2300, 0x23FF)]),
        ("ControlPictures", &[(0x2400, 0x243F)]),
        ("OpticalCharacterRecognition", &[(0x2440, 0x245F)]),
        ("EnclosedAlphanumerics", &[(0x2460, 0x24FF)]),
        ("BoxDrawing", &[(0x2500, 0x257F)]),
        ("BlockElements", &[(0x2580, 0x259F)]),
        ("GeometricShapes", &[(0x25A0, 0x25FF)]),
        ("MiscellaneousSymbols", &[(0x2600, 0x26FF)]),
        ("Dingbats", &[(0x2700, 0x27BF)]),
        ("BraillePatterns", &[(0x2800, 0x28FF)]),
        ("CJKRadicalsSupplement", &[(0x2E80, 0x2EFF)]),
        ("KangxiRadicals", &[(0x2F00, 0x2FDF)]),
        ("IdeographicDescriptionCharacters", &[(0x2FF0, 0x2FFF)]),
        ("CJKSymbolsandPunctuation", &[(0x3000, 0x303F)]),
        ("Hiragana", &[(0x3040, 0x309F)]),
        ("Katakana", &[(0x30A0, 0x30FF)]),
        ("Bopomofo", &[(0x3100, 0x312F)]),
        ("HangulCompatibilityJamo", &[(0x3130, 0x318F)]),
        ("Kanbun", &[(0x3190, 0x319F)]),
        ("BopomofoExtended", &[(0x31A0, 0x31BF)]),
        ("EnclosedCJKLettersandMonths", &[(0x3200, 0x32FF)]),
        ("CJKCompatibility", &[(0x3300, 0x33FF)]),
        ("CJKUnifiedIdeographsExtensionA", &[(0x3400, 0x4DB5)]),
        ("CJKUnifiedIdeographs", &[(0x4E00, 0x9FFF)]),
        ("YiSyllables", &[(0xA000, 0xA48F)]),
        ("YiRadicals", &[(0xA490, 0xA4CF)]),
        ("HangulSyllables", &[(0xAC00, 0xD7A3)]),
        ("HighSurrogates", &[]),
        ("HighPrivateUseSurrogates", &[]),
        ("LowSurrogates", &[]),
        (
            "PrivateUse",
            &[(0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)],
        ),
        ("CJKCompatibilityIdeographs", &[(0xF900, 0xFAFF)]),
        ("AlphabeticPresentationForms", &[(0xFB00, 0xFB4F)]),
        ("ArabicPresentationForms-A", &[(0xFB50, 0xFDFF)]),
        ("CombiningHalfMarks", &[(0xFE20, 0xFE2F)]),
        ("CJKCompatibilityForms", &[(0xFE30, 0xFE4F)]),
        ("SmallFormVariants", &[(0xFE50, 0xFE6F)]),
        ("ArabicPresentationForms-B", &[(0xFE70, 0xFEFE)]),
        ("Specials", &[(0xFEFF, 0xFEFF), (0xFFF0, 0xFFFD)]),
        ("HalfwidthandFullwidthForms", &[(0xFF00, 0xFFEF)]),
        ("OldItalic", &[(0x10300, 0x1032F)]),
        ("Gothic", &[(0x10330, 0x1034F)]),
        ("Deseret", &[(0x10400, 0x1044F)]),
        ("ByzantineMusicalSymbols", &[(0x1D000, 0x1D0FF)]),
        ("MusicalSymbols", &[(0x1D100, 0x1D1FF)]),
        ("MathematicalAlphanumericSymbols", &[(0x1D400, 0x1D7FF)]),
        ("CJKUnifiedIdeographsExtensionB", &[(0x20000, 0x2A6D6)]),
        (
            "CJKCompatibilityIdeographsSupplement",
            &[(0x2F800, 0x2FA1F)],
        ),
        ("Tags", &[(0xE0000, 0xE007F)]),
    ];
    let (_, ranges) = BLOCKS.iter().find(|(n, _)| *n == name)?;
    if ranges.is_empty() {
        // Matches nothing: the intersection of two disjoint sets.
        return Some(r"[a&&b]".to_string());
    }
    Some(
        ranges
            .iter()
            .map(|(a, b)| format!(r"\x{{{a:X}}}-\x{{{b:X}}}"))
            .collect(),
    )
}

/// A character class at `chars[i]` (`[`), with XSD subtraction.
fn class(chars: &[char], i: usize) -> Result<(String, usize), RegexError> {
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
    Err(RegexError::UnclosedClass { at: i })
}

/// Compiles a translated pattern with a size bound (huge counted repetitions are refused).
pub fn compile(p: &str) -> Result<regex::Regex, RegexError> {
    compile_with(p, PATTERN_LIMIT)
}

/// The size a compiled pattern may have.
pub const PATTERN_LIMIT: usize = 1 << 20;
/// The size a few large patterns of a schema may have (counted Unicode classes such as
/// `(\c{1,9}\.){1,4}` compile to several MiB), and how many a schema may have.
pub const LARGE_PATTERN_LIMIT: usize = 16 << 20;
pub const LARGE_PATTERNS: usize = 4;

/// [`compile_with`], shared: while a compiled pattern is held anywhere in the process, the same
/// pattern with the same limit gets that one again instead of a new program. Schemas that many
/// WSDLs import (ONVIF's `onvif.xsd`, loaded once per service) hold their patterns once.
pub fn compile_shared(p: &str, limit: usize) -> Result<Arc<regex::Regex>, RegexError> {
    let key = (p.to_string(), limit);
    if let Some(r) = shared().patterns.get(&key).and_then(Weak::upgrade) {
        return Ok(r);
    }
    // Compiled outside the lock: a large pattern takes a while, and loads may run in parallel.
    let r = Arc::new(compile_with(p, limit)?);
    let mut held = shared();
    if held.patterns.len() >= held.prune_at {
        held.patterns.retain(|_, w| w.strong_count() > 0);
        held.prune_at = (2 * held.patterns.len()).max(64);
    }
    held.patterns.insert(key, Arc::downgrade(&r));
    Ok(r)
}

/// The compiled patterns [`compile_shared`] handed out. Those no schema holds any more are
/// forgotten when the table reaches `prune_at`, which is then twice the patterns in use, so
/// the table stays within twice those (reloads do not make it grow).
#[derive(Default)]
struct Shared {
    /// (pattern, limit) -> the compiled pattern, while held.
    patterns: HashMap<(String, usize), Weak<regex::Regex>>,
    prune_at: usize,
}

fn shared() -> std::sync::MutexGuard<'static, Shared> {
    static SHARED: OnceLock<Mutex<Shared>> = OnceLock::new();
    SHARED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// Compiles an XSD pattern whose program may have at most `limit` bytes.
pub fn compile_with(p: &str, limit: usize) -> Result<regex::Regex, RegexError> {
    let t = translate(p)?;
    regex::RegexBuilder::new(&t)
        .size_limit(limit)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => RegexError::TooBig { limit },
            e => RegexError::Engine(e),
        })
}

#[cfg(test)]
mod tests {
    use super::{PATTERN_LIMIT, RegexError, compile};

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
    fn unicode_blocks_and_negated_escapes_in_classes() {
        assert!(m(r"\p{IsBasicLatin}+", "abc") && !m(r"\p{IsBasicLatin}+", "abé"));
        assert!(m(r"\P{IsBasicLatin}", "é") && !m(r"\P{IsBasicLatin}", "e"));
        assert!(m(r"[\p{IsGreek}\d]+", "αβ1") && !m(r"[\p{IsGreek}]", "a"));
        assert!(m(r"\p{IsCJKUnifiedIdeographs}", "中"));
        assert!(!m(r"\p{IsHighSurrogates}", "a"));
        assert!(m(r"[\p{IsHighSurrogates}x]", "x"));
        assert!(m(r"[\S]+", "ab") && !m(r"[\S]", " "));
        assert!(m(r"[a\W]", "!") && !m(r"[a\W]", "b"));
        assert!(m(r"[\w]", "b") && !m(r"[\w]", "!"));
    }

    #[test]
    fn untranslatable_and_hostile_patterns_are_errors() {
        assert!(compile(r"\p{IsKlingon}").is_err());
        assert!(compile("(a").is_err());
        assert!(compile("[a-").is_err());
        assert!(compile("(.{1000}){1000}").is_err(), "bounded size");
    }

    #[test]
    fn errors_by_kind_with_their_place_and_words() {
        let e = |p: &str| compile(p).unwrap_err();
        let cases: [(&str, RegexError, &str); 9] = [
            (
                "ab(?:c)",
                RegexError::GroupExtension { at: 2 },
                "`(?` is not XSD syntax",
            ),
            (
                "a)",
                RegexError::UnbalancedClose { at: 1 },
                "unbalanced `)`",
            ),
            ("(a", RegexError::UnbalancedOpen, "unbalanced `(`"),
            (
                "a\\",
                RegexError::TrailingBackslash { at: 1 },
                "a pattern ends with `\\`",
            ),
            (
                "x\\pL}",
                RegexError::CategoryWithoutBrace { at: 1, escape: 'p' },
                "`\\p` must be followed by `{name}`",
            ),
            (
                "\\p{IsKlingon}",
                RegexError::UnknownBlock {
                    at: 0,
                    name: "IsKlingon".into(),
                },
                "`IsKlingon` is not a Unicode block XML Schema 1.0 names",
            ),
            (
                "\\p{L-}",
                RegexError::BadCategory {
                    at: 0,
                    name: "L-".into(),
                },
                "`L-` is not a character category",
            ),
            (
                "[a\\q]",
                RegexError::UnknownEscape { at: 2, escape: 'q' },
                "`\\q` is not an XSD escape",
            ),
            ("a[b", RegexError::UnclosedClass { at: 1 }, "unclosed `[`"),
        ];
        for (p, kind, words) in cases {
            let got = e(p);
            assert_eq!(got, kind, "{p}");
            assert_eq!(got.to_string(), words, "{p}");
        }
        assert!(matches!(e("\\p{L"), RegexError::UnclosedCategory { at: 0 }));
        assert_eq!(e("\\p{L").to_string(), "unclosed `\\p{`");
        let big = e("(.{1000}){1000}");
        assert_eq!(
            big,
            RegexError::TooBig {
                limit: PATTERN_LIMIT
            }
        );
        assert_eq!(
            big.to_string(),
            format!("the pattern compiles to more than {PATTERN_LIMIT} bytes")
        );
        assert!(matches!(e("a{2,1}"), RegexError::Engine(_)));
    }

    mod properties {
        use super::m;
        use proptest::prelude::*;

        /// A pattern matching exactly `s`: every character escaped where XSD needs it.
        fn literal(s: &str) -> String {
            let mut p = String::new();
            for c in s.chars() {
                // XSD's single-character escapes; `$` is a plain character (`\$` is no escape).
                if "\\|.-^?*+{}()[]".contains(c) {
                    p.push('\\');
                }
                p.push(c);
            }
            p
        }

        proptest! {
            #[test]
            fn a_literal_matches_itself_and_nothing_longer(s in "[a-zA-Z0-9 .|*+?(){}\\[\\]^$-]{0,12}") {
                let p = literal(&s);
                prop_assert!(m(&p, &s), "{} should match {:?}", p, s);
                let longer = format!("{s}z");
                prop_assert!(!m(&p, &longer), "{} should not match {:?} (anchored)", p, longer);
                let earlier = format!("z{s}");
                prop_assert!(!m(&p, &earlier), "{} should not match {:?} (anchored)", p, earlier);
            }

            #[test]
            fn class_subtraction_is_set_difference(c in proptest::char::any()) {
                let expected = c.is_ascii_lowercase() && !"aeiou".contains(c);
                prop_assert_eq!(m("[a-z-[aeiou]]", &c.to_string()), expected);
            }

            #[test]
            fn dot_is_any_character_but_cr_and_lf(c in proptest::char::any()) {
                prop_assert_eq!(m(".", &c.to_string()), c != '\n' && c != '\r');
            }

            #[test]
            fn s_is_the_four_xml_spaces(c in proptest::char::any()) {
                prop_assert_eq!(m(r"\s", &c.to_string()), matches!(c, ' ' | '\t' | '\n' | '\r'));
                prop_assert_eq!(m(r"\S", &c.to_string()), !matches!(c, ' ' | '\t' | '\n' | '\r'));
            }

            #[test]
            fn basic_latin_is_the_first_128_code_points(c in proptest::char::any()) {
                prop_assert_eq!(m(r"\p{IsBasicLatin}", &c.to_string()), (c as u32) < 0x80);
                prop_assert_eq!(m(r"\P{IsBasicLatin}", &c.to_string()), (c as u32) >= 0x80);
            }

            #[test]
            fn counted_repetition_counts(n in 0usize..8, k in 0usize..8) {
                let p = format!("a{{{n}}}");
                prop_assert_eq!(m(&p, &"a".repeat(k)), n == k);
            }
        }
    }
}
