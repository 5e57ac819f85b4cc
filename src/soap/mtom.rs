//! MTOM/XOP (SOAP Message Transmission Optimization, XML-binary Optimized Packaging): a
//! request packaged as `multipart/related` with an `application/xop+xml` root part (the
//! envelope, its base64Binary values replaced by `xop:Include` elements) and a binary part per
//! value; and an XOP answer unpacked (parsed by `multer`, bounded in parts and size), each
//! `xop:Include` put back as the base64 text of the part it references, so the envelope reads
//! as if it had never been optimised.

use std::borrow::Cow;
use std::collections::HashMap;

use actix_web::web::Bytes;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use crate::wsdl::SoapVersion;

/// The XOP namespace of `xop:Include`.
pub const XOP: &str = "http://www.w3.org/2004/08/xop/include";

/// The most parts an answer's package may have (the root included).
pub const MAX_PARTS: usize = 64;

/// A binary part of a request: its `Content-ID` (without the angle brackets) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub content_id: String,
    pub data: Vec<u8>,
}

impl Attachment {
    /// A part holding the bytes of the base64 text `text` (whitespace allowed), with a fresh
    /// `Content-ID`; `None` when the text is not base64.
    pub fn from_base64(text: &str) -> Option<Attachment> {
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let data = STANDARD.decode(compact).ok()?;
        Some(Attachment {
            content_id: format!("{}@soapbridge", uuid::Uuid::new_v4().simple()),
            data,
        })
    }

    /// The `xop:Include` element referencing this part.
    pub fn include(&self) -> BytesStart<'static> {
        let mut e = BytesStart::new("xop:Include");
        e.push_attribute(("xmlns:xop", XOP));
        e.push_attribute(("href", format!("cid:{}", self.content_id).as_str()));
        e
    }
}

/// A request packaged as MTOM: its `Content-Type` and body.
#[derive(Debug)]
pub struct Package {
    pub content_type: String,
    pub body: Vec<u8>,
}

/// Packages `envelope` (whose base64Binary values are `xop:Include`s of `parts`) as an XOP
/// `multipart/related` body: the root part `application/xop+xml` with the SOAP version's
/// media type (and the SOAP 1.2 action) in its `type`, then each part as binary.
pub fn package(
    v: SoapVersion,
    action: Option<&str>,
    envelope: &[u8],
    parts: &[Attachment],
) -> Package {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let boundary = format!("MIMEBoundary_{id}");
    let root = format!("root.{id}@soapbridge");
    // SOAP 1.2's action goes in an `action` parameter of its own, as WCF writes it (a quoted
    // string inside `start-info` is beyond many parsers).
    let (start_info, action) = match (v, action) {
        (SoapVersion::V11, _) => ("text/xml", String::new()),
        (SoapVersion::V12, Some(a)) if !a.is_empty() => (
            "application/soap+xml",
            format!("; action=\"{}\"", a.replace('"', "%22")),
        ),
        (SoapVersion::V12, _) => ("application/soap+xml", String::new()),
    };
    let content_type = format!(
        "multipart/related; type=\"application/xop+xml\"; start=\"<{root}>\"; start-info=\"{start_info}\"{action}; boundary=\"{boundary}\""
    );
    let mut body = Vec::with_capacity(
        envelope.len() + parts.iter().map(|p| p.data.len() + 200).sum::<usize>() + 300,
    );
    let head = |body: &mut Vec<u8>, ty: &str, cid: &str| {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Type: {ty}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <{cid}>\r\n\r\n"
            )
            .as_bytes(),
        );
    };
    head(
        &mut body,
        &format!("application/xop+xml; charset=UTF-8; type=\"{start_info}\"{action}"),
        &root,
    );
    body.extend_from_slice(envelope);
    body.extend_from_slice(b"\r\n");
    for p in parts {
        head(&mut body, "application/octet-stream", &p.content_id);
        body.extend_from_slice(&p.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Package { content_type, body }
}

/// Why an XOP answer could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum MtomError {
    /// Is raised when a `multipart/related` answer's `Content-Type` has no usable boundary.
    #[error("the multipart answer's Content-Type `{0}` has no boundary")]
    NoBoundary(String),
    /// Is raised when the multipart body cannot be parsed (a missing boundary or end, broken
    /// part headers).
    #[error("the multipart answer is malformed: {0}")]
    Malformed(String),
    /// Is raised when the package has more parts than [`MAX_PARTS`].
    #[error("the multipart answer has more than {0} parts")]
    TooManyParts(usize),
    /// Is raised when the package has no part at all, or none named by `start`.
    #[error("the multipart answer has no root part{0}")]
    NoRoot(String),
    /// Is raised when the root part is not `application/xop+xml` (or a SOAP media type).
    #[error("the multipart answer's root part is `{0}`, not application/xop+xml")]
    RootType(String),
    /// Is raised when an `xop:Include` references a part the package does not have.
    #[error("xop:Include references `{0}`, which is not a part of the answer")]
    MissingPart(String),
    /// Is raised when an `xop:Include` has no `cid:` reference.
    #[error("an xop:Include has no `cid:` href")]
    BadInclude,
    /// Is raised when the root part is not well-formed XML.
    #[error("the root part is not well-formed XML: {0}")]
    Xml(String),
    /// Is raised when the envelope with its parts put back passes the limit.
    #[error("the answer with its binary parts put back is larger than {0} bytes")]
    TooLarge(usize),
}

/// An unpacked answer: the envelope's media type (from the root part's `type`) and the
/// envelope with every `xop:Include` replaced by the base64 text of its part.
#[derive(Debug)]
pub struct Unpacked {
    pub content_type: String,
    pub envelope: Vec<u8>,
}

/// Whether a `Content-Type` is a multipart package.
pub fn is_multipart(content_type: &str) -> bool {
    content_type
        .trim_start()
        .get(..17)
        .is_some_and(|p| p.eq_ignore_ascii_case("multipart/related"))
}

/// Unpacks an XOP answer (`content_type` is `multipart/related`): at most [`MAX_PARTS`]
/// parts, the result at most `limit` bytes.
pub async fn unpack(content_type: &str, body: Bytes, limit: usize) -> Result<Unpacked, MtomError> {
    let mime =
        media_type(content_type).ok_or_else(|| MtomError::NoBoundary(content_type.to_string()))?;
    let boundary = mime
        .get_param(mime::BOUNDARY)
        .map(|b| b.as_str().to_string())
        .ok_or_else(|| MtomError::NoBoundary(content_type.to_string()))?;
    let start = mime
        .get_param("start")
        .map(|s| strip_angles(s.as_str()).to_string());
    let size = body.len() as u64;
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let constraints =
        multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(size));
    let mut multipart = multer::Multipart::with_constraints(stream, boundary, constraints);
    let mut root: Option<(String, Bytes)> = None;
    let mut parts: HashMap<String, Bytes> = HashMap::new();
    let mut count = 0;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| MtomError::Malformed(e.to_string()))?
    {
        count += 1;
        if count > MAX_PARTS {
            return Err(MtomError::TooManyParts(MAX_PARTS));
        }
        let header = |name: &str| {
            field
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let id = header("content-id").map(|c| strip_angles(&c).to_string());
        let ty = header("content-type").unwrap_or_default();
        let base64 = header("content-transfer-encoding")
            .is_some_and(|e| e.trim().eq_ignore_ascii_case("base64"));
        let mut data = field
            .bytes()
            .await
            .map_err(|e| MtomError::Malformed(e.to_string()))?;
        if base64 {
            let compact: Vec<u8> = data
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            data = STANDARD
                .decode(compact)
                .map(Bytes::from)
                .map_err(|e| MtomError::Malformed(format!("a base64 part: {e}")))?;
        }
        let is_root = match (&start, &id) {
            (Some(s), Some(i)) => s == i,
            (Some(_), None) => false,
            (None, _) => root.is_none(),
        };
        if is_root && root.is_none() {
            root = Some((ty, data));
        } else if let Some(i) = id {
            parts.insert(i, data);
        }
    }
    let Some((root_type, xml)) = root else {
        return Err(MtomError::NoRoot(
            start.map_or_else(String::new, |s| format!(" `{s}`")),
        ));
    };
    let content_type = envelope_type(&root_type)?;
    let envelope = put_back(&xml, &parts, limit)?;
    Ok(Unpacked {
        content_type,
        envelope,
    })
}

/// A `Content-Type` parsed; an escaped quote inside a quoted parameter (`start-info="a;
/// action=\"x\""`, as some stacks write) is read as `%22`.
fn media_type(value: &str) -> Option<mime::Mime> {
    value
        .parse()
        .ok()
        .or_else(|| value.replace("\\\"", "%22").parse().ok())
}

/// `<id>` -> `id`.
fn strip_angles(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(s)
}

/// The envelope's media type from the root part's: `application/xop+xml; type="text/xml"`
/// gives `text/xml` (with the root's charset); a root that is plainly SOAP is taken as is.
fn envelope_type(root: &str) -> Result<String, MtomError> {
    let m = media_type(root).ok_or_else(|| MtomError::RootType(root.to_string()))?;
    let charset = m
        .get_param(mime::CHARSET)
        .map(|c| format!("; charset={c}"))
        .unwrap_or_default();
    match m.essence_str() {
        "application/xop+xml" => {
            let ty = m.get_param("type").map_or("text/xml", |t| t.as_str());
            let action = m
                .get_param("action")
                .map(|a| format!("; action=\"{a}\""))
                .unwrap_or_default();
            Ok(format!("{ty}{charset}{action}"))
        }
        "text/xml" | "application/soap+xml" => Ok(root.to_string()),
        _ => Err(MtomError::RootType(root.to_string())),
    }
}

/// The root's XML with each `xop:Include` (empty or not) replaced by its part in base64.
fn put_back(
    xml: &[u8],
    parts: &HashMap<String, Bytes>,
    limit: usize,
) -> Result<Vec<u8>, MtomError> {
    let mut reader = quick_xml::NsReader::from_reader(xml);
    let mut out = Vec::with_capacity(xml.len());
    let mut copied = 0usize;
    loop {
        let before = reader.buffer_position() as usize;
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| MtomError::Xml(e.to_string()))?;
        let (e, empty) = match &event {
            Event::Empty(e) => (e, true),
            Event::Start(e) => (e, false),
            Event::Eof => break,
            _ => continue,
        };
        let is_include = matches!(resolved, ResolveResult::Bound(n) if n.as_ref() == XOP)
            && e.local_name().as_ref() == "Include";
        if !is_include {
            continue;
        }
        let href = e
            .try_get_attribute("href")
            .ok()
            .flatten()
            .and_then(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(Cow::into_owned)
            })
            .ok_or(MtomError::BadInclude)?;
        let cid = href
            .trim()
            .strip_prefix("cid:")
            .ok_or(MtomError::BadInclude)?;
        let cid = percent_encoding::percent_decode_str(cid).decode_utf8_lossy();
        let data = parts
            .get(cid.as_ref())
            .ok_or_else(|| MtomError::MissingPart(cid.to_string()))?;
        if !empty {
            let end = e.to_end().into_owned();
            reader
                .read_to_end(end.name())
                .map_err(|e| MtomError::Xml(e.to_string()))?;
        }
        out.extend_from_slice(&xml[copied..before]);
        let encoded = STANDARD.encode(data);
        if out.len() + encoded.len() > limit {
            return Err(MtomError::TooLarge(limit));
        }
        out.extend_from_slice(encoded.as_bytes());
        copied = reader.buffer_position() as usize;
    }
    out.extend_from_slice(&xml[copied..]);
    if out.len() > limit {
        return Err(MtomError::TooLarge(limit));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(parts: &[(&str, &str, &[u8])]) -> (String, Bytes) {
        let mut body = Vec::new();
        for (id, ty, data) in parts {
            body.extend_from_slice(
                format!("--B\r\nContent-Type: {ty}\r\nContent-ID: <{id}>\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--B--\r\n");
        (
            "multipart/related; type=\"application/xop+xml\"; start=\"<root>\"; boundary=B"
                .to_string(),
            Bytes::from(body),
        )
    }

    const ROOT: &str = r#"<e xmlns:x="http://www.w3.org/2004/08/xop/include"><d><x:Include href="cid:a%40b"/></d><n>1</n></e>"#;

    fn run<F: std::future::Future>(f: F) -> F::Output {
        actix_rt::System::new().block_on(f)
    }

    #[test]
    fn includes_are_put_back_as_base64() {
        let (ct, body) = answer(&[
            (
                "root",
                "application/xop+xml; charset=UTF-8; type=\"text/xml\"",
                ROOT.as_bytes(),
            ),
            ("a@b", "application/octet-stream", b"\x00\x01\xffhi"),
        ]);
        let u = run(unpack(&ct, body, 10_000)).unwrap();
        assert_eq!(u.content_type, "text/xml; charset=utf-8");
        assert_eq!(
            String::from_utf8(u.envelope).unwrap(),
            r#"<e xmlns:x="http://www.w3.org/2004/08/xop/include"><d>AAH/aGk=</d><n>1</n></e>"#
        );
    }

    #[test]
    fn a_missing_part_a_malformed_body_and_too_many_parts_are_refused() {
        let (ct, body) = answer(&[("root", "application/xop+xml", ROOT.as_bytes())]);
        assert!(matches!(
            run(unpack(&ct, body, 10_000)),
            Err(MtomError::MissingPart(p)) if p == "a@b"
        ));
        let broken = Bytes::from_static(b"--B\r\nContent-Type: text/xml\r\n\r\n<e/>");
        assert!(matches!(
            run(unpack("multipart/related; boundary=B", broken, 10_000)),
            Err(MtomError::Malformed(_))
        ));
        let many: Vec<(String, &str, &[u8])> = (0..=MAX_PARTS)
            .map(|i| (format!("p{i}"), "application/octet-stream", &b"x"[..]))
            .collect();
        let many: Vec<(&str, &str, &[u8])> =
            many.iter().map(|(a, b, c)| (a.as_str(), *b, *c)).collect();
        let (ct, body) = answer(&many);
        assert!(matches!(
            run(unpack(&ct, body, 100_000)),
            Err(MtomError::TooManyParts(MAX_PARTS))
        ));
        assert!(matches!(
            run(unpack("multipart/related", Bytes::new(), 10)),
            Err(MtomError::NoBoundary(_))
        ));
    }

    #[test]
    fn the_result_is_bounded() {
        let big = vec![7u8; 3000];
        let (ct, body) = answer(&[
            (
                "root",
                "application/xop+xml; type=\"text/xml\"",
                ROOT.as_bytes(),
            ),
            ("a@b", "application/octet-stream", &big),
        ]);
        assert!(matches!(
            run(unpack(&ct, body, 2000)),
            Err(MtomError::TooLarge(2000))
        ));
    }

    #[test]
    fn a_package_unpacks_to_its_envelope() {
        let part = Attachment::from_base64("AAH/ aGk=").unwrap();
        assert_eq!(part.data, b"\x00\x01\xffhi");
        let include = part.include();
        let mut w = quick_xml::Writer::new(Vec::new());
        w.write_event(Event::Empty(include)).unwrap();
        let envelope = format!("<e>{}</e>", String::from_utf8(w.into_inner()).unwrap());
        let p = package(
            SoapVersion::V12,
            Some("urn:act"),
            envelope.as_bytes(),
            &[part],
        );
        assert!(
            p.content_type
                .starts_with("multipart/related; type=\"application/xop+xml\"")
        );
        let u = run(unpack(&p.content_type, Bytes::from(p.body), 10_000)).unwrap();
        assert_eq!(
            u.content_type,
            "application/soap+xml; charset=utf-8; action=\"urn:act\""
        );
        assert_eq!(String::from_utf8(u.envelope).unwrap(), "<e>AAH/aGk=</e>");
    }
}
