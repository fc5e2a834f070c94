//! One tree, two encodings: Open311 responses are built once as a [`Node`] and written as JSON or as the spec's
//! XML (root element, one element per list item, text escaped), so the two formats cannot drift apart.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The response format, from the path's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fmt {
    /// `.json`
    Json,
    /// `.xml`
    Xml,
}

/// Splits `name.json` / `name.xml` into the name and its format.
pub fn split(file: &str) -> Option<(&str, Fmt)> {
    let (name, ext) = file.rsplit_once('.')?;
    let fmt = match ext {
        "json" => Fmt::Json,
        "xml" => Fmt::Xml,
        _ => return None,
    };
    (!name.is_empty()).then_some((name, fmt))
}

/// A response tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// An object: ordered fields.
    Obj(Vec<(&'static str, Node)>),
    /// A list; in XML each item is wrapped in the given element.
    List(&'static str, Vec<Node>),
    /// Text.
    Str(String),
    /// A number.
    Num(f64),
    /// A whole number.
    Int(i64),
    /// true/false.
    Bool(bool),
    /// null (an empty element in XML).
    Null,
}

/// Text, or null when empty.
pub fn opt_str(s: &str) -> Node {
    if s.is_empty() { Node::Null } else { Node::Str(s.to_string()) }
}

impl Node {
    /// The JSON value.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Node::Obj(fields) => Value::Object(fields.iter().map(|(k, v)| (k.to_string(), v.to_json())).collect()),
            Node::List(_, items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Node::Str(s) => Value::String(s.clone()),
            Node::Num(n) => serde_json::Number::from_f64(*n).map(Value::Number).unwrap_or(Value::Null),
            Node::Int(i) => Value::from(*i),
            Node::Bool(b) => Value::Bool(*b),
            Node::Null => Value::Null,
        }
    }

    fn write_xml(&self, out: &mut String) {
        match self {
            Node::Obj(fields) => {
                for (k, v) in fields {
                    element(out, k, v);
                }
            }
            Node::List(item, items) => {
                for v in items {
                    element(out, item, v);
                }
            }
            Node::Str(s) => out.push_str(&escape(s)),
            Node::Num(n) => out.push_str(&n.to_string()),
            Node::Int(i) => out.push_str(&i.to_string()),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Null => {}
        }
    }

    /// The XML document with `root` as its root element.
    pub fn to_xml(&self, root: &str) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        element(&mut out, root, self);
        out
    }
}

fn element(out: &mut String, tag: &str, v: &Node) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    v.write_xml(out);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

/// Escapes text for XML content (and attributes).
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

/// A response in the asked format with the given status.
pub fn respond(fmt: Fmt, status: StatusCode, root: &str, body: &Node) -> Response {
    match fmt {
        Fmt::Json => (status, axum::Json(body.to_json())).into_response(),
        Fmt::Xml => (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body.to_xml(root)).into_response(),
    }
}

/// The spec's error list: `[{"code": 400, "description": "…"}]` or `<errors><error>…</error></errors>`.
pub fn error(fmt: Fmt, status: StatusCode, description: &str) -> Response {
    let body = Node::List(
        "error",
        vec![Node::Obj(vec![
            ("code", Node::Int(i64::from(status.as_u16()))),
            ("description", Node::Str(description.to_string())),
        ])],
    );
    respond(fmt, status, "errors", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_tree_gives_matching_json_and_xml() {
        let n = Node::List(
            "service",
            vec![Node::Obj(vec![
                ("service_code", Node::Str("graffiti".into())),
                ("metadata", Node::Bool(true)),
                ("lat", Node::Num(41.5)),
                ("keywords", Node::Null),
                ("description", Node::Str("<b>&'\"\u{1}".into())),
            ])],
        );
        assert_eq!(
            n.to_json(),
            serde_json::json!([{"service_code": "graffiti", "metadata": true, "lat": 41.5, "keywords": null, "description": "<b>&'\"\u{1}"}])
        );
        assert_eq!(
            n.to_xml("services"),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service><service_code>graffiti</service_code><metadata>true</metadata><lat>41.5</lat><keywords></keywords><description>&lt;b&gt;&amp;&apos;&quot;</description></service></services>"
        );
        assert_eq!(split("services.json"), Some(("services", Fmt::Json)));
        assert_eq!(split("12.xml"), Some(("12", Fmt::Xml)));
        assert_eq!(split("services.html"), None);
        assert_eq!(split(".json"), None);
    }
}
