//! WS-Security (OASIS SOAP Message Security 1.1) for requests: a `wsse:Security` header block
//! with a UsernameToken (UsernameToken Profile 1.1), its password as text or as a digest, and an
//! optional `wsu:Timestamp`. Written fresh for every request: a new nonce from the operating
//! system's CSPRNG, `Created` now.

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::rand::SecureRandom;

use crate::env::{EnvError, Secret, expand_env, resolve_secret};
use crate::mapping::route::WsseSettings;
use crate::wsdl::SoapVersion;
use crate::xml::escape;

/// The WS-Security extension namespace (`wsse:`).
pub const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// The WS-Security utility namespace (`wsu:`).
pub const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
const PROFILE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0";
const BASE64_BINARY: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";
/// Bytes of a nonce (the profile recommends at least 16).
const NONCE_BYTES: usize = 16;
/// What a printed envelope (`soapbridge envelope`, the dry run) shows instead of the password,
/// as text or as a digest.
pub const MASKED_PASSWORD: &str = "********";

/// Why a Security header could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WsseError {
    /// Is raised when the operating system's random source gives no nonce.
    #[error("no random nonce could be drawn for the WS-Security header")]
    Random,
    /// Is raised when the clock is before 1970 or past what a date can say.
    #[error("the system clock cannot be written as a WS-Security timestamp")]
    Clock,
}

/// A UsernameToken's credentials and how they are sent. `Debug` never shows the password.
#[derive(Debug, Clone)]
pub struct UsernameToken {
    username: String,
    password: Secret,
    /// `PasswordDigest` rather than `PasswordText`.
    digest: bool,
    /// The Timestamp's time to live; `None`: no Timestamp.
    timestamp: Option<Duration>,
    must_understand: bool,
    /// For printing, not sending: the Password element holds [`MASKED_PASSWORD`].
    masked: bool,
}

impl UsernameToken {
    /// The mapping's `upstream.auth.wsse`, its `${VAR}` / `${file:PATH}` resolved now.
    pub fn resolve(s: &WsseSettings) -> Result<UsernameToken, EnvError> {
        Ok(UsernameToken {
            username: expand_env(&s.username)?,
            password: resolve_secret(&s.password)?,
            digest: s.digest,
            timestamp: s.timestamp,
            must_understand: s.must_understand,
            masked: false,
        })
    }

    /// A token from resolved values.
    pub fn new(
        username: impl Into<String>,
        password: Secret,
        digest: bool,
        timestamp: Option<Duration>,
    ) -> UsernameToken {
        UsernameToken {
            username: username.into(),
            password,
            digest,
            timestamp,
            must_understand: true,
            masked: false,
        }
    }

    /// This token for an envelope that is printed rather than sent: everything as it would be
    /// sent (username, nonce, times) but the Password element, which holds [`MASKED_PASSWORD`]
    /// (a digest of the real password is left out too: with its nonce and time it would allow
    /// guessing the password offline).
    pub fn masked(&self) -> UsernameToken {
        UsernameToken {
            masked: true,
            ..self.clone()
        }
    }

    /// The `wsse:Security` block for a request sent now, appended to `out`: a fresh nonce,
    /// `Created` the current second.
    pub fn write(&self, soap: SoapVersion, out: &mut Vec<u8>) -> Result<(), WsseError> {
        let mut nonce = [0u8; NONCE_BYTES];
        ring::rand::SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| WsseError::Random)?;
        self.write_at(soap, SystemTime::now(), &nonce, out)
    }

    /// The `wsse:Security` block for a request made at `now` with `nonce`, appended to `out`.
    pub fn write_at(
        &self,
        soap: SoapVersion,
        now: SystemTime,
        nonce: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), WsseError> {
        let created = timestamp(now)?;
        out.extend_from_slice(b"<wsse:Security xmlns:wsse=\"");
        out.extend_from_slice(WSSE_NS.as_bytes());
        out.extend_from_slice(b"\" xmlns:wsu=\"");
        out.extend_from_slice(WSU_NS.as_bytes());
        out.push(b'"');
        if self.must_understand {
            out.extend_from_slice(match soap {
                SoapVersion::V11 => b" soap:mustUnderstand=\"1\"".as_slice(),
                SoapVersion::V12 => b" soap:mustUnderstand=\"true\"".as_slice(),
            });
        }
        out.push(b'>');
        if let Some(ttl) = self.timestamp {
            let expires = now.checked_add(ttl).ok_or(WsseError::Clock)?;
            let expires = timestamp(expires)?;
            for part in [
                "<wsu:Timestamp><wsu:Created>",
                &created,
                "</wsu:Created><wsu:Expires>",
                &expires,
                "</wsu:Expires></wsu:Timestamp>",
            ] {
                out.extend_from_slice(part.as_bytes());
            }
        }
        out.extend_from_slice(b"<wsse:UsernameToken><wsse:Username>");
        out.extend_from_slice(escape(&self.username, false).as_bytes());
        out.extend_from_slice(b"</wsse:Username><wsse:Password Type=\"");
        out.extend_from_slice(PROFILE.as_bytes());
        if self.digest {
            let digest = match self.masked {
                false => password_digest(nonce, &created, self.password.expose()),
                true => MASKED_PASSWORD.to_string(),
            };
            out.extend_from_slice(b"#PasswordDigest\">");
            out.extend_from_slice(digest.as_bytes());
            out.extend_from_slice(b"</wsse:Password><wsse:Nonce EncodingType=\"");
            out.extend_from_slice(BASE64_BINARY.as_bytes());
            out.extend_from_slice(b"\">");
            out.extend_from_slice(STANDARD.encode(nonce).as_bytes());
            out.extend_from_slice(b"</wsse:Nonce><wsu:Created>");
            out.extend_from_slice(created.as_bytes());
            out.extend_from_slice(b"</wsu:Created>");
        } else {
            out.extend_from_slice(b"#PasswordText\">");
            let password = match self.masked {
                false => escape(self.password.expose(), false),
                true => MASKED_PASSWORD.into(),
            };
            out.extend_from_slice(password.as_bytes());
            out.extend_from_slice(b"</wsse:Password>");
        }
        out.extend_from_slice(b"</wsse:UsernameToken></wsse:Security>");
        Ok(())
    }
}

/// `Password_Digest = Base64 ( SHA-1 ( nonce + created + password ) )` (UsernameToken Profile
/// 1.1, section 3.1): the nonce's bytes (decoded, not its Base64), `Created` as written, the
/// password's UTF-8.
pub fn password_digest(nonce: &[u8], created: &str, password: &str) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
    ctx.update(nonce);
    ctx.update(created.as_bytes());
    ctx.update(password.as_bytes());
    STANDARD.encode(ctx.finish().as_ref())
}

/// A UTC `xsd:dateTime` to the second, as WS-Security writes them: `2024-05-01T12:00:00Z`.
fn timestamp(t: SystemTime) -> Result<String, WsseError> {
    let t = time::OffsetDateTime::from(t)
        .replace_nanosecond(0)
        .map_err(|_| WsseError::Clock)?;
    t.format(&time::format_description::well_known::Rfc3339)
        .map_err(|_| WsseError::Clock)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The widely published PasswordDigest example (the profile's own example gives no
    /// password): nonce `LKqI6G/AikKCQrN0zqZFlg==`, Created `2010-09-16T07:50:45Z`, password
    /// `userpassword`.
    #[test]
    fn digest_matches_the_reference_vector() {
        let nonce = STANDARD.decode("LKqI6G/AikKCQrN0zqZFlg==").unwrap();
        assert_eq!(
            password_digest(&nonce, "2010-09-16T07:50:45Z", "userpassword"),
            "tuOSpGlFlIXsozq4HFNeeGeFLEI="
        );
        // Every input counts.
        assert_ne!(
            password_digest(&nonce, "2010-09-16T07:50:46Z", "userpassword"),
            "tuOSpGlFlIXsozq4HFNeeGeFLEI="
        );
    }

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn digest_token_with_timestamp() {
        let token = UsernameToken::new(
            "NNK",
            Secret::new("userpassword"),
            true,
            Some(Duration::from_secs(300)),
        );
        let nonce = STANDARD.decode("LKqI6G/AikKCQrN0zqZFlg==").unwrap();
        let mut out = Vec::new();
        token
            .write_at(SoapVersion::V11, at(1_284_623_445), &nonce, &mut out)
            .unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert_eq!(
            xml,
            format!(
                "<wsse:Security xmlns:wsse=\"{WSSE_NS}\" xmlns:wsu=\"{WSU_NS}\" soap:mustUnderstand=\"1\">\
                 <wsu:Timestamp><wsu:Created>2010-09-16T07:50:45Z</wsu:Created><wsu:Expires>2010-09-16T07:55:45Z</wsu:Expires></wsu:Timestamp>\
                 <wsse:UsernameToken><wsse:Username>NNK</wsse:Username>\
                 <wsse:Password Type=\"{PROFILE}#PasswordDigest\">tuOSpGlFlIXsozq4HFNeeGeFLEI=</wsse:Password>\
                 <wsse:Nonce EncodingType=\"{BASE64_BINARY}\">LKqI6G/AikKCQrN0zqZFlg==</wsse:Nonce>\
                 <wsu:Created>2010-09-16T07:50:45Z</wsu:Created></wsse:UsernameToken></wsse:Security>"
            )
        );
        assert!(!xml.contains("userpassword"));
    }

    #[test]
    fn text_token_escapes_and_soap12_must_understand() {
        let mut token = UsernameToken::new("a<b", Secret::new("p&w\"d"), false, None);
        let mut out = Vec::new();
        token
            .write_at(SoapVersion::V12, at(0), &[0; 16], &mut out)
            .unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains(" soap:mustUnderstand=\"true\">"), "{xml}");
        assert!(
            xml.contains("<wsse:Username>a&lt;b</wsse:Username>"),
            "{xml}"
        );
        assert!(
            xml.contains("#PasswordText\">p&amp;w\"d</wsse:Password>"),
            "{xml}"
        );
        assert!(
            !xml.contains("Nonce") && !xml.contains("Timestamp"),
            "{xml}"
        );
        token.must_understand = false;
        let mut out = Vec::new();
        token
            .write_at(SoapVersion::V12, at(0), &[0; 16], &mut out)
            .unwrap();
        assert!(!String::from_utf8(out).unwrap().contains("mustUnderstand"));
    }

    #[test]
    fn every_request_gets_a_fresh_nonce() {
        let token = UsernameToken::new("u", Secret::new("p"), true, None);
        let nonce_of = |t: &UsernameToken| {
            let mut out = Vec::new();
            t.write(SoapVersion::V11, &mut out).unwrap();
            let xml = String::from_utf8(out).unwrap();
            let start = xml.find("Base64Binary\">").unwrap() + "Base64Binary\">".len();
            let nonce = &xml[start..start + xml[start..].find('<').unwrap()];
            STANDARD.decode(nonce).unwrap()
        };
        let (a, b) = (nonce_of(&token), nonce_of(&token));
        assert_eq!(a.len(), NONCE_BYTES);
        assert_ne!(a, b);
    }

    #[test]
    fn a_masked_token_shows_no_password_nor_its_digest() {
        let nonce = STANDARD.decode("LKqI6G/AikKCQrN0zqZFlg==").unwrap();
        for digest in [false, true] {
            let token = UsernameToken::new("NNK", Secret::new("userpassword"), digest, None);
            let mut out = Vec::new();
            token
                .masked()
                .write_at(SoapVersion::V11, at(1_284_623_445), &nonce, &mut out)
                .unwrap();
            let xml = String::from_utf8(out).unwrap();
            let kind = if digest { "Digest" } else { "Text" };
            assert!(
                xml.contains(&format!(
                    "#Password{kind}\">{MASKED_PASSWORD}</wsse:Password>"
                )),
                "{xml}"
            );
            assert!(xml.contains("<wsse:Username>NNK</wsse:Username>"), "{xml}");
            assert!(!xml.contains("userpassword"), "{xml}");
            assert!(!xml.contains("tuOSpGlFlIXsozq4HFNeeGeFLEI="), "{xml}");
            // The token itself still sends the password.
            let mut sent = Vec::new();
            token
                .write_at(SoapVersion::V11, at(1_284_623_445), &nonce, &mut sent)
                .unwrap();
            assert!(!String::from_utf8(sent).unwrap().contains(MASKED_PASSWORD));
        }
    }

    #[test]
    fn debug_hides_the_password() {
        let token = UsernameToken::new("u", Secret::new("hunter2"), true, None);
        assert!(!format!("{token:?}").contains("hunter2"));
    }
}
