//! Reading what the e-mail outbox wrote: the `.eml` files, their headers (RFC 2047 words
//! decoded) and bodies (quoted-printable or base64 decoded).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;

/// The finished `.eml` files of an outbox (not the temporary ones).
pub fn eml_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    files.sort();
    files
}

pub async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out: {what}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A parsed message: unfolded headers (name, raw value) and the decoded body.
pub struct Parsed {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Parsed {
    pub fn header(&self, name: &str) -> String {
        let found: Vec<&String> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
            .collect();
        assert_eq!(found.len(), 1, "one {name} header in {:?}", self.headers);
        found[0].clone()
    }
}

pub fn parse(raw: &str) -> Parsed {
    let (head, body) = raw.split_once("\r\n\r\n").expect("head and body");
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            headers.last_mut().expect("folded line follows a header").1 += line;
        } else {
            let (n, v) = line.split_once(':').expect("a header line");
            headers.push((n.to_string(), v.trim_start().to_string()));
        }
    }
    let cte = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Content-Transfer-Encoding"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_else(|| "7bit".into());
    let body = match cte.as_str() {
        "7bit" | "8bit" => body.to_string(),
        "quoted-printable" => String::from_utf8(qp_decode(body, false)).unwrap(),
        "base64" => {
            let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(clean)
                    .unwrap(),
            )
            .unwrap()
        }
        other => panic!("unexpected transfer encoding {other}"),
    };
    Parsed { headers, body }
}

/// Quoted-printable (RFC 2045), or the `Q` encoding of header words (RFC 2047: `_` is space).
pub fn qp_decode(text: &str, header: bool) -> Vec<u8> {
    let text = text.replace("=\r\n", "");
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            b'_' if header => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`) in a header value;
/// white space between two encoded words is dropped, as the RFC says.
pub fn decode_header(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, after) = rest.split_at(start);
        if !(last_was_word && before.trim().is_empty()) {
            out += before;
        }
        let mut parts = after[2..].splitn(3, '?');
        let charset = parts.next().unwrap();
        assert!(charset.eq_ignore_ascii_case("utf-8"), "charset {charset}");
        let enc = parts.next().unwrap().to_ascii_lowercase();
        let tail = parts.next().unwrap();
        let end = tail.find("?=").expect("end of encoded word");
        let bytes = match enc.as_str() {
            "b" => base64::engine::general_purpose::STANDARD
                .decode(&tail[..end])
                .unwrap(),
            "q" => qp_decode(&tail[..end], true),
            other => panic!("encoding {other}"),
        };
        out += &String::from_utf8(bytes).unwrap();
        rest = &tail[end + 2..];
        last_was_word = true;
    }
    out + rest
}
