//! HTTP plumbing shared by the routes: InfluxDB's error bodies and codes, JSON and CSV
//! responses, query-string parameters, gzip bodies.

use std::io::Read;

use serde::Serialize;

use crate::{Request, Response};

/// The version every response advertises (`X-Influxdb-Version`); clients read it.
pub const INFLUX_VERSION: &str = "v2.7.12";
/// `X-Influxdb-Build`: clients check for `OSS` vs `cloud`.
pub const INFLUX_BUILD: &str = "OSS";

/// An error answered as `{"code","message"}` with the status InfluxDB maps the code to.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl HttpError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> HttpError {
        HttpError {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn invalid(m: impl Into<String>) -> HttpError {
        HttpError::new(400, "invalid", m)
    }
    pub fn empty_value(m: impl Into<String>) -> HttpError {
        HttpError::new(400, "empty value", m)
    }
    pub fn unauthorized(m: impl Into<String>) -> HttpError {
        HttpError::new(401, "unauthorized", m)
    }
    /// The one answer for a missing, unknown or inactive token.
    pub fn unauthorized_access() -> HttpError {
        HttpError::unauthorized("unauthorized access")
    }
    pub fn forbidden(m: impl Into<String>) -> HttpError {
        HttpError::new(403, "forbidden", m)
    }
    pub fn not_found(m: impl Into<String>) -> HttpError {
        HttpError::new(404, "not found", m)
    }
    pub fn method_not_allowed() -> HttpError {
        HttpError::new(405, "method not allowed", "method not allowed")
    }
    pub fn too_large(m: impl Into<String>) -> HttpError {
        HttpError::new(413, "request too large", m)
    }
    pub fn unsupported_media(m: impl Into<String>) -> HttpError {
        HttpError::new(415, "unsupported media type", m)
    }
    /// InfluxDB answers `conflict` with 422, not 409.
    pub fn conflict(m: impl Into<String>) -> HttpError {
        HttpError::new(422, "conflict", m)
    }
    pub fn unprocessable(m: impl Into<String>) -> HttpError {
        HttpError::new(422, "unprocessable entity", m)
    }
    pub fn internal(m: impl Into<String>) -> HttpError {
        HttpError::new(500, "internal error", m)
    }
    pub fn not_implemented(m: impl Into<String>) -> HttpError {
        HttpError::new(501, "not implemented", m)
    }

    pub fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            code: &'a str,
            message: &'a str,
        }
        let body = serde_json::to_vec(&Body {
            code: self.code,
            message: &self.message,
        })
        .unwrap_or_default();
        Response {
            status: self.status,
            headers: vec![
                (
                    "Content-Type".into(),
                    "application/json; charset=utf-8".into(),
                ),
                ("X-Platform-Error-Code".into(), self.code.into()),
            ],
            body,
        }
    }
}

pub type HttpResult<T> = Result<T, HttpError>;

pub fn json_response<T: Serialize>(status: u16, value: &T) -> Response {
    match serde_json::to_vec_pretty(value) {
        Ok(body) => Response {
            status,
            headers: vec![(
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body,
        },
        Err(e) => HttpError::internal(e.to_string()).into_response(),
    }
}

pub fn no_content() -> Response {
    Response {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

/// Parses a JSON body; unknown fields are ignored (serde's default), errors are 400.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> HttpResult<T> {
    serde_json::from_slice(body)
        .map_err(|e| HttpError::invalid(format!("failed to decode request body: {e}")))
}

/// The decoded query string, in order.
#[derive(Debug, Default, Clone)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(query: &str) -> Params {
        Params(
            query
                .split('&')
                .filter(|kv| !kv.is_empty())
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (percent_decode(k), percent_decode(v))
                })
                .collect(),
        )
    }

    /// The first value of `name`, if present and non-empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space). Invalid escapes stay literal.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The request body with any `Content-Encoding: gzip` removed, at most `limit` bytes
/// once decoded (413 beyond it; a corrupt stream is 400).
pub fn decoded_body(req: &Request, limit: usize) -> HttpResult<std::borrow::Cow<'_, [u8]>> {
    let encoding = req
        .header("Content-Encoding")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match encoding.as_str() {
        "" | "identity" => {
            if req.body.len() > limit {
                return Err(too_large());
            }
            Ok(std::borrow::Cow::Borrowed(&req.body))
        }
        "gzip" | "x-gzip" => {
            let mut out = Vec::new();
            let mut decoder = flate2::read::GzDecoder::new(&req.body[..]).take(limit as u64 + 1);
            decoder
                .read_to_end(&mut out)
                .map_err(|e| HttpError::invalid(format!("unable to read data: {e}")))?;
            if out.len() > limit {
                return Err(too_large());
            }
            Ok(std::borrow::Cow::Owned(out))
        }
        other => Err(HttpError::unsupported_media(format!(
            "unsupported content encoding {other:?}"
        ))),
    }
}

fn too_large() -> HttpError {
    HttpError::too_large("unable to read data: points batch is too large")
}

/// True when the client accepts a gzip response.
pub fn accepts_gzip(req: &Request) -> bool {
    req.header("Accept-Encoding").is_some_and(|v| {
        v.split(',').any(|e| {
            e.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("gzip")
        })
    })
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_decode_and_skip_empty_values() {
        let p = Params::parse("org=my%20org&bucket=a+b&precision=&x");
        assert_eq!(p.get("org"), Some("my org"));
        assert_eq!(p.get("bucket"), Some("a b"));
        assert_eq!(p.get("precision"), None);
        assert_eq!(p.get("x"), None);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }

    #[test]
    fn gzip_bodies_decode_and_limits_hold() {
        let data = b"m f=1 1\n".repeat(100);
        let req = Request {
            headers: vec![("content-encoding".into(), "gzip".into())],
            body: gzip(&data),
            ..Request::default()
        };
        assert_eq!(&*decoded_body(&req, 10_000).unwrap(), &data[..]);
        assert_eq!(decoded_body(&req, 10).unwrap_err().status, 413);
        let broken = Request {
            body: b"not gzip at all".to_vec(),
            ..req.clone()
        };
        assert_eq!(decoded_body(&broken, 10_000).unwrap_err().status, 400);
        let br = Request {
            headers: vec![("Content-Encoding".into(), "br".into())],
            ..req
        };
        assert_eq!(decoded_body(&br, 10_000).unwrap_err().status, 415);
    }

    #[test]
    fn errors_render_influxdb_bodies() {
        let r = HttpError::conflict("dup").into_response();
        assert_eq!(r.status, 422);
        assert_eq!(r.body, br#"{"code":"conflict","message":"dup"}"#);
        assert_eq!(r.header("x-platform-error-code"), Some("conflict"));
    }
}
