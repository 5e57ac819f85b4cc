//! A request body read as JSON in one pass, strictly: a key that appears twice in one object is
//! refused with its JSON Pointer (serde_json alone keeps the last one silently), and nesting is
//! bounded while parsing, before any deeper value is built.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why a body is not accepted as JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// Is raised when the text is not JSON (serde_json's message, with line and column).
    #[error("the body is not valid JSON: {0}")]
    Syntax(String),
    /// Is raised when a value nests deeper than the limit.
    #[error("the JSON nests deeper than {0} levels")]
    TooDeep(usize),
    /// Is raised when an object names the same key twice (the pointer of the second).
    #[error("the key at `{0}` appears more than once in its object")]
    DuplicateKey(String),
}

/// Parses `bytes` as one JSON value, at most `max_depth` levels deep (a scalar at the top is
/// one level), every object's keys distinct.
pub fn parse(bytes: &[u8], max_depth: usize) -> Result<Value, JsonError> {
    let mut ctx = Ctx {
        path: Vec::new(),
        level: 0,
        max_depth,
        stop: None,
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = Node { ctx: &mut ctx }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    match (parsed, ctx.stop) {
        (Ok(v), _) => Ok(v),
        (Err(_), Some(stop)) => Err(stop),
        (Err(e), None) => Err(JsonError::Syntax(e.to_string())),
    }
}

/// Where the parser is: the path to the value being read, its level, and the reason it stopped
/// (a serde error carries text only).
struct Ctx {
    path: Vec<String>,
    level: usize,
    max_depth: usize,
    stop: Option<JsonError>,
}

impl Ctx {
    fn pointer(&self) -> String {
        let mut p = String::new();
        for part in &self.path {
            p.push('/');
            p.push_str(&part.replace('~', "~0").replace('/', "~1"));
        }
        p
    }

    fn fail<E: de::Error>(&mut self, why: JsonError) -> E {
        let e = E::custom(&why);
        self.stop = Some(why);
        e
    }
}

/// One value at the current path.
struct Node<'a> {
    ctx: &'a mut Ctx,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.ctx.level += 1;
        if self.ctx.level > self.ctx.max_depth {
            let max = self.ctx.max_depth;
            return Err(self.ctx.fail(JsonError::TooDeep(max)));
        }
        let ctx = &mut *self.ctx;
        let v = d.deserialize_any(Node { ctx: &mut *ctx })?;
        ctx.level -= 1;
        Ok(v)
    }
}

/// serde_json's key for a number read with `arbitrary_precision` (its text follows as a string).
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("not a finite number"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        let mut items = Vec::new();
        loop {
            ctx.path.push(items.len().to_string());
            let next = seq.next_element_seed(Node { ctx: &mut *ctx })?;
            ctx.path.pop();
            match next {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if key == NUMBER_TOKEN && out.is_empty() {
                // A number's text, as serde_json hands it over with `arbitrary_precision`.
                let text: String = map.next_value()?;
                return serde_json::from_str::<Number>(&text)
                    .map(Value::Number)
                    .map_err(de::Error::custom);
            }
            ctx.path.push(key);
            if out.contains_key(ctx.path.last().map_or("", String::as_str)) {
                let pointer = ctx.pointer();
                return Err(ctx.fail(JsonError::DuplicateKey(pointer)));
            }
            let v = map.next_value_seed(Node { ctx: &mut *ctx })?;
            let key = ctx.path.pop().unwrap_or_default();
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::{JsonError, parse};
    use serde_json::json;

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            r#"{"a":1,"b":[1,2.5,"x",null,true],"c":{"d":-3}}"#,
            "12345678901234567890123456789",
            "0.1000000000000000055511151231257827",
            r#""é\u00e9""#,
            "[]",
            "{}",
        ] {
            let expected: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(parse(text.as_bytes(), 32).unwrap(), expected, "{text}");
        }
        assert_eq!(
            parse(br#"{"b":1,"a":2}"#, 32)
                .unwrap()
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["b", "a"]
        );
    }

    #[test]
    fn a_duplicate_key_is_refused_with_its_pointer() {
        assert_eq!(
            parse(br#"{"a":1,"a":2}"#, 32),
            Err(JsonError::DuplicateKey("/a".into()))
        );
        assert_eq!(
            parse(br#"{"x":[{"ok":1},{"a/b~":1,"a/b~":{}}]}"#, 32),
            Err(JsonError::DuplicateKey("/x/1/a~1b~0".into()))
        );
        // The same key in two objects is fine.
        assert_eq!(
            parse(br#"[{"a":1},{"a":2}]"#, 32).unwrap(),
            json!([{"a":1},{"a":2}])
        );
        assert_eq!(
            JsonError::DuplicateKey("/a".into()).to_string(),
            "the key at `/a` appears more than once in its object"
        );
    }

    #[test]
    fn depth_is_bounded_while_parsing() {
        assert!(parse(b"[[1]]", 3).is_ok());
        assert_eq!(parse(b"[[1]]", 2), Err(JsonError::TooDeep(2)));
        assert_eq!(parse(br#"{"a":{"b":1}}"#, 2), Err(JsonError::TooDeep(2)));
        let deep = "[".repeat(100_000);
        assert_eq!(parse(deep.as_bytes(), 32), Err(JsonError::TooDeep(32)));
    }

    #[test]
    fn syntax_errors_keep_serde_jsons_message() {
        let Err(JsonError::Syntax(m)) = parse(b"{\"a\":", 32) else {
            panic!("not a syntax error")
        };
        assert!(m.contains("EOF"), "{m}");
        assert!(matches!(parse(b"1 2", 32), Err(JsonError::Syntax(_))));
    }
}
