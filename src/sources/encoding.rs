//! A file's bytes as text. UTF-8 is read as it is; a file in another encoding is refused, or, in
//! lenient mode, decoded (with `encoding_rs`) in the encoding its byte-order mark or XML
//! declaration names, and reported.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// Why a file's bytes could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum NotText {
    /// Is raised when the bytes are not UTF-8 and no tolerated encoding is in force; carries
    /// the encoding the file declares, if any.
    #[error("not UTF-8")]
    NotUtf8 { declared: Option<String> },
    /// Is raised in lenient mode when the bytes are invalid in the encoding the file declares,
    /// or that encoding is unknown (or plain ASCII, which high bytes break).
    #[error("not valid {0}")]
    Invalid(String),
}

/// The text of a file, and the encoding it was decoded from when that was not UTF-8.
pub(super) fn decode(bytes: Vec<u8>, lenient: bool) -> Result<(String, Option<String>), NotText> {
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return Ok((text, None)),
        Err(e) => e.into_bytes(),
    };
    let (encoding, bom) = match Encoding::for_bom(&bytes) {
        Some((e, n)) => (Some(e), n),
        None => (None, 0),
    };
    let label = encoding
        .map(|e| e.name().to_string())
        .or_else(|| declared_encoding(&bytes));
    if !lenient {
        return Err(NotText::NotUtf8 { declared: label });
    }
    let Some(label) = label else {
        return Err(NotText::NotUtf8 { declared: None });
    };
    let invalid = || NotText::Invalid(label.clone());
    let lower = label.to_ascii_lowercase();
    let encoding = encoding
        .or_else(|| Encoding::for_label(label.as_bytes()))
        .ok_or_else(invalid)?;
    if encoding == UTF_8 || lower.contains("ascii") || lower == "646" {
        return Err(invalid());
    }
    let body = &bytes[bom..];
    // The WHATWG tables read the ISO-8859-1 labels as windows-1252; XML means ISO-8859-1 itself
    // (every byte the code point of its value).
    let text = if encoding == WINDOWS_1252 && !lower.contains("1252") {
        encoding_rs::mem::decode_latin1(body).into_owned()
    } else {
        encoding
            .decode_without_bom_handling_and_without_replacement(body)
            .ok_or_else(invalid)?
            .into_owned()
    };
    Ok((text, Some(label)))
}

/// The `encoding` of the XML declaration the bytes start with, if any (the declaration itself is
/// ASCII in every encoding an XML file without a byte-order mark may use).
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(200)];
    let end = head.iter().position(|&b| b == b'>')?;
    let decl = std::str::from_utf8(&head[..end])
        .ok()?
        .strip_prefix("<?xml")?;
    let at = decl.find("encoding")?;
    let rest = decl[at + 8..].trim_start().strip_prefix('=')?.trim_start();
    let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    Some(rest[1..].split(q).next()?.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LATIN1: &[u8] = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Stra\xdfe \x80</a>";

    #[test]
    fn utf8_is_read_as_it_is_in_both_modes() {
        let bytes = "<a>Straße</a>".as_bytes().to_vec();
        assert_eq!(
            decode(bytes.clone(), false),
            Ok(("<a>Straße</a>".into(), None))
        );
        assert_eq!(decode(bytes, true), Ok(("<a>Straße</a>".into(), None)));
    }

    #[test]
    fn another_encoding_is_refused_unless_lenient() {
        assert_eq!(
            decode(LATIN1.to_vec(), false),
            Err(NotText::NotUtf8 {
                declared: Some("ISO-8859-1".into())
            })
        );
        let (text, from) = decode(LATIN1.to_vec(), true).unwrap();
        // ISO-8859-1 itself, not windows-1252: 0x80 stays U+0080.
        assert!(text.ends_with("<a>Straße \u{80}</a>"), "{text}");
        assert_eq!(from.as_deref(), Some("ISO-8859-1"));
        let cp = b"<?xml version='1.0' encoding='windows-1252'?><a>\x80</a>".to_vec();
        assert!(decode(cp, true).unwrap().0.ends_with("<a>€</a>"));
    }

    #[test]
    fn utf16_with_a_byte_order_mark() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "<a>é</a>".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let (text, from) = decode(bytes, true).unwrap();
        assert_eq!(text, "<a>é</a>");
        assert_eq!(from.as_deref(), Some("UTF-16LE"));
    }

    #[test]
    fn what_lenient_mode_still_refuses() {
        // No declaration: nothing says what the bytes are.
        assert_eq!(
            decode(b"<a>\xdf</a>".to_vec(), true),
            Err(NotText::NotUtf8 { declared: None })
        );
        // Declared UTF-8 (or ASCII) but not: broken bytes, not another encoding.
        let broken = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>\xdf</a>".to_vec();
        assert_eq!(decode(broken, true), Err(NotText::Invalid("UTF-8".into())));
        let ascii = b"<?xml version=\"1.0\" encoding=\"US-ASCII\"?><a>\xdf</a>".to_vec();
        assert!(decode(ascii, true).is_err());
        let unknown = b"<?xml version=\"1.0\" encoding=\"klingon\"?><a>\xdf</a>".to_vec();
        assert_eq!(
            decode(unknown, true),
            Err(NotText::Invalid("klingon".into()))
        );
    }
}
