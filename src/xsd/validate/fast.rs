//! The check of a simple type's text when its value is not needed, planned once per type.
//!
//! Most text in an answer is a string, an integer, a decimal, a boolean or a date whose facets
//! are lengths, digit counts, ranges, patterns or string enumerations. [`Plan`] says for each
//! type how to check such text without building its value (no allocation, no dispatch on names).
//! A plan only ever says "valid" for text the general path accepts: whenever it says "not valid"
//! (or has no plan), the general path decides and words the message. The agreement is tested in
//! `tests.rs`.

use super::facet_values::FacetValues;
use crate::xsd::model::*;
use crate::xsd::value::{self, Value};
use regex_automata::dfa::{Automaton, StartKind, dense};
use regex_automata::nfa::thompson;
use regex_automata::{Anchored, Input};

/// How the text of one simple type is checked.
#[derive(Debug)]
pub(super) enum Plan {
    /// No plan: the general path (lists, unions, IDs, value bounds other than integer ranges,
    /// types with enumerations of non-strings, ...).
    General,
    /// Every text is valid: a string type with no facets and no lexical rule.
    Any,
    /// Whitespace-normalized as the type says, then checked by `Kind`, then against the
    /// type's patterns.
    Check {
        white_space: Option<WhiteSpace>,
        kind: Kind,
        /// Each restriction step's patterns: the text must match one of every step.
        patterns: Box<[Box<[Pattern]>]>,
    },
}

/// A compiled pattern: a small fully built DFA walked byte by byte, or the `regex` crate's
/// matcher when the DFA would be large.
#[derive(Debug)]
pub(super) enum Pattern {
    Dfa(Box<dense::DFA<Vec<u32>>>),
    Regex(regex::Regex),
}

/// The largest DFA built for one pattern, and the memory its construction may use.
const DFA_BYTES: usize = 64 << 10;
const DETERMINIZE_BYTES: usize = 256 << 10;

impl Pattern {
    /// The DFA of `r`'s (anchored) pattern when it is small, else `r` itself.
    pub(super) fn new(r: &regex::Regex) -> Pattern {
        let dfa = dense::Builder::new()
            .configure(
                dense::DFA::config()
                    .start_kind(StartKind::Anchored)
                    .dfa_size_limit(Some(DFA_BYTES))
                    .determinize_size_limit(Some(DETERMINIZE_BYTES)),
            )
            .thompson(thompson::Config::new().nfa_size_limit(Some(DETERMINIZE_BYTES)))
            .build(r.as_str());
        match dfa {
            Ok(d) => Pattern::Dfa(Box::new(d)),
            Err(_) => Pattern::Regex(r.clone()),
        }
    }

    pub(super) fn is_match(&self, s: &str) -> bool {
        match self {
            Pattern::Dfa(dfa) => {
                let input = Input::new(s).anchored(Anchored::Yes);
                let Ok(mut state) = dfa.start_state_forward(&input) else {
                    return false;
                };
                for &b in s.as_bytes() {
                    state = dfa.next_state(state, b);
                    if dfa.is_dead_state(state) {
                        return false;
                    }
                }
                dfa.is_match_state(dfa.next_eoi_state(state))
            }
            Pattern::Regex(r) => r.is_match(s),
        }
    }
}

#[derive(Debug)]
pub(super) enum Kind {
    /// A string type: its lexical rule, its length bounds in characters, its enumeration.
    Str {
        lex: Lex,
        /// Inclusive bounds, when any length facet is given.
        length: Option<(u64, u64)>,
        /// Empty: no enumeration.
        enumeration: Box<[Box<str>]>,
    },
    /// An integer type whose bounds fit an i64.
    Integer {
        min: i64,
        max: i64,
        total_digits: Option<u32>,
    },
    /// xs:decimal with at most digit-count facets.
    Decimal {
        total_digits: Option<u32>,
        fraction_digits: Option<u32>,
    },
    /// xs:boolean without facets but patterns.
    Boolean,
    /// One of the eight date and time types without value facets: the lexical and calendar
    /// check alone.
    Temporal(Primitive),
}

/// The lexical rules of the string built-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lex {
    Any,
    Language,
    NmToken,
    Name,
    NcName,
}

impl Plan {
    /// The plan for simple type `st` (named `builtin` at its built-in base), given whether it
    /// derives from xs:ID or xs:IDREF and its facet values.
    pub(super) fn new(
        st: &SimpleType,
        builtin: &str,
        id_like: bool,
        values: Option<&FacetValues>,
    ) -> Plan {
        if !matches!(st.variety, Variety::Atomic) || id_like {
            return Plan::General;
        }
        let f = &st.facets;
        let length =
            (f.length.is_some() || f.min_length.is_some() || f.max_length.is_some()).then(|| {
                let min = f.length.into_iter().chain(f.min_length).max().unwrap_or(0);
                let max = f
                    .length
                    .into_iter()
                    .chain(f.max_length)
                    .min()
                    .unwrap_or(u64::MAX);
                (min, max)
            });
        let kind = match st.primitive {
            Primitive::String => {
                let enumeration: Box<[Box<str>]> = match values {
                    None => Box::default(),
                    Some(fv)
                        if fv.min_inclusive.is_none()
                            && fv.max_inclusive.is_none()
                            && fv.min_exclusive.is_none()
                            && fv.max_exclusive.is_none() =>
                    {
                        // Enumeration values that are not strings never equal a string.
                        fv.enumeration
                            .iter()
                            .filter_map(|e| match e {
                                Value::Str(s) => Some(s.as_str().into()),
                                _ => None,
                            })
                            .collect()
                    }
                    Some(_) => return Plan::General,
                };
                if !f.enumeration.is_empty() && enumeration.is_empty() {
                    // No value can be one of them: the general path words it.
                    return Plan::General;
                }
                let lex = match builtin {
                    "language" => Lex::Language,
                    "NMTOKEN" => Lex::NmToken,
                    "Name" => Lex::Name,
                    "NCName" | "ID" | "IDREF" | "ENTITY" => Lex::NcName,
                    _ => Lex::Any,
                };
                if lex == Lex::Any
                    && length.is_none()
                    && f.enumeration.is_empty()
                    && f.regexes.is_empty()
                {
                    return Plan::Any;
                }
                Kind::Str {
                    lex,
                    length,
                    enumeration,
                }
            }
            Primitive::Decimal => match values {
                Some(fv) => match fv.i64_range {
                    Some((min, max)) => Kind::Integer {
                        min,
                        max,
                        total_digits: f.total_digits,
                    },
                    None => return Plan::General,
                },
                None if builtin == "decimal" && f.enumeration.is_empty() => Kind::Decimal {
                    total_digits: f.total_digits,
                    fraction_digits: f.fraction_digits,
                },
                None => return Plan::General,
            },
            Primitive::Boolean
                if values.is_none() && f.enumeration.is_empty() && length.is_none() =>
            {
                Kind::Boolean
            }
            Primitive::DateTime
            | Primitive::Time
            | Primitive::Date
            | Primitive::GYearMonth
            | Primitive::GYear
            | Primitive::GMonthDay
            | Primitive::GDay
            | Primitive::GMonth
                if values.is_none() && f.enumeration.is_empty() && length.is_none() =>
            {
                Kind::Temporal(st.primitive)
            }
            _ => return Plan::General,
        };
        Plan::Check {
            white_space: f.white_space,
            kind,
            patterns: f
                .regexes
                .iter()
                .map(|step| step.iter().map(|(_, r)| Pattern::new(r)).collect())
                .collect(),
        }
    }
}

impl Kind {
    /// No text with a space, tab, CR or LF passes [`Kind::ok`].
    pub(super) fn refuses_spaces(&self) -> bool {
        !matches!(self, Kind::Str { .. })
    }

    /// Whether the whitespace-normalized text `s` is valid (patterns aside). `false` means
    /// "not shown valid here": the general path decides.
    pub(super) fn ok(&self, s: &str) -> bool {
        match self {
            Kind::Str {
                lex,
                length,
                enumeration,
            } => {
                let lexical = match lex {
                    Lex::Any => true,
                    Lex::Language => value::is_language(s),
                    Lex::NmToken => value::is_nmtoken(s),
                    Lex::Name => value::is_name(s),
                    Lex::NcName => value::is_ncname(s),
                };
                lexical
                    && length.is_none_or(|(min, max)| {
                        let n = s.chars().count() as u64;
                        n >= min && n <= max
                    })
                    && (enumeration.is_empty()
                        || enumeration.iter().any(|e| super::instance::same(e, s)))
            }
            Kind::Integer {
                min,
                max,
                total_digits,
            } => match value::small_integer(s) {
                Some((n, digits)) => {
                    n >= *min && n <= *max && total_digits.is_none_or(|d| digits as u64 <= d as u64)
                }
                None => false,
            },
            Kind::Decimal {
                total_digits,
                fraction_digits,
            } => match decimal_digits(s) {
                Some((total, fraction)) => {
                    total_digits.is_none_or(|d| total <= d as usize)
                        && fraction_digits.is_none_or(|d| fraction <= d as usize)
                }
                None => false,
            },
            Kind::Boolean => matches!(s, "true" | "false" | "1" | "0"),
            Kind::Temporal(primitive) => value::temporal(*primitive, s).is_some(),
        }
    }
}

/// A decimal's digits for totalDigits and its fraction digits (as `Dec` counts them), or `None` when
/// `s` is not a decimal.
pub(super) fn decimal_digits(s: &str) -> Option<(usize, usize)> {
    let rest = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    Some((int.len() + frac.len(), frac.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// XSD patterns of the kinds real schemas use: counted classes, alternatives, optional
    /// groups, Unicode categories and blocks, class subtraction, `.`, escapes.
    const PATTERNS: &[&str] = &[
        "[A-Z]{3}",
        "[0-9]{5}(-[0-9]{4})?",
        "[A-Z]{3}-[0-9]{6}",
        r"\d{1,3}(\.\d{1,3}){3}",
        r"[a-zA-Z0-9._%+\-]+@[a-zA-Z0-9.\-]+\.[a-zA-Z]{2,}",
        r"\p{L}+",
        r"\p{IsBasicLatin}*",
        "[a-z-[aeiou]]+",
        ".{2,4}",
        r"\i\c*",
        "(ab|cd)*e?",
        r"[^\s]+",
        "",
    ];

    fn patterns() -> Vec<(regex::Regex, Pattern)> {
        PATTERNS
            .iter()
            .map(|p| {
                let r = crate::xsd::regex::compile(p).unwrap();
                let d = Pattern::new(&r);
                (r, d)
            })
            .collect()
    }

    #[test]
    fn small_patterns_become_dfas_and_large_ones_stay_regexes() {
        let r = crate::xsd::regex::compile("[0-9]{5}(-[0-9]{4})?").unwrap();
        assert!(matches!(Pattern::new(&r), Pattern::Dfa(_)));
        // A counted Unicode class: its DFA would be far beyond the size limit.
        let r = crate::xsd::regex::compile(r"\p{L}{8}").unwrap();
        assert!(matches!(Pattern::new(&r), Pattern::Regex(_)));
    }

    proptest! {
        /// The DFA walk says what the `regex` crate says, on strings near the patterns'
        /// alphabets and on arbitrary ones.
        #[test]
        fn dfa_walks_agree_with_the_regex_crate(
            near in "[A-Za-z0-9 .@%+_:-]{0,14}",
            any in any::<String>(),
        ) {
            for (r, p) in &patterns() {
                for s in [near.as_str(), any.as_str()] {
                    prop_assert_eq!(p.is_match(s), r.is_match(s), "{} on {:?}", r.as_str(), s);
                }
            }
        }

        /// Digit counts without building the value agree with [`value::Dec`].
        #[test]
        fn decimal_digits_agree_with_dec(s in "[+-]?[0-9]{0,6}(\\.[0-9]{0,6})?|[0-9a.+-]{0,5}") {
            let d = value::Dec::parse(&s);
            prop_assert_eq!(
                decimal_digits(&s),
                d.map(|d| (d.digits(), d.frac.len())),
                "{:?}", s
            );
        }

        /// The collapse check of `normalize` changes exactly the strings that collapsing
        /// changes, and collapses them right.
        #[test]
        fn collapse_is_split_and_join(s in "[ a\\t\\n\\rb]{0,10}") {
            let expected = s
                .split([' ', '\t', '\n', '\r'])
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let got = value::normalize(&s, Some(WhiteSpace::Collapse));
            prop_assert_eq!(&*got, expected.as_str());
            prop_assert_eq!(matches!(got, std::borrow::Cow::Borrowed(_)), expected == s);
        }
    }
}

#[cfg(test)]
mod space_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// What `Kind::refuses_spaces` promises: no text with XML whitespace passes.
        #[test]
        fn number_boolean_and_date_kinds_refuse_whitespace(
            a in "[0-9TZ:.+-]{0,12}",
            b in "[0-9TZ:.+-]{0,12}",
            space in "[ \t\r\n]",
        ) {
            let s = format!("{a}{space}{b}");
            let kinds = [
                Kind::Integer { min: i64::MIN, max: i64::MAX, total_digits: None },
                Kind::Decimal { total_digits: None, fraction_digits: None },
                Kind::Boolean,
                Kind::Temporal(Primitive::DateTime),
                Kind::Temporal(Primitive::Date),
                Kind::Temporal(Primitive::Time),
                Kind::Temporal(Primitive::GYear),
                Kind::Temporal(Primitive::GYearMonth),
                Kind::Temporal(Primitive::GMonthDay),
                Kind::Temporal(Primitive::GDay),
                Kind::Temporal(Primitive::GMonth),
            ];
            for k in &kinds {
                prop_assert!(k.refuses_spaces());
                prop_assert!(!k.ok(&s), "{:?} took {:?}", k, s);
            }
        }
    }
}
