//! Safe rendering of the small Markdown subset members write in decisions and comments: paragraphs, line breaks,
//! `**bold**`, `*italic*`, `- ` lists, http(s) links and `@mentions`. Everything is HTML-escaped first, so no
//! markup a user types ever reaches the page; only the tags produced here do.

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn pair(line: &str, marker: &str, tag: &str) -> String {
    let parts: Vec<&str> = line.split(marker).collect();
    // Needs text between the markers: "**" alone or "* *" is left as typed.
    if parts.len() < 3 || parts.iter().skip(1).step_by(2).any(|p| p.trim().is_empty()) {
        return line.to_string();
    }
    let mut out = String::new();
    let closed = if parts.len() % 2 == 1 { parts.len() } else { parts.len() - 1 };
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            if i < closed {
                let t = if i % 2 == 1 { format!("<{tag}>") } else { format!("</{tag}>") };
                out.push_str(&t);
            } else {
                out.push_str(marker);
            }
        }
        out.push_str(p);
    }
    out
}

fn links(line: &str) -> String {
    line.split(' ')
        .map(|w| {
            let trimmed = w.trim_end_matches(['.', ',', ';', ')']);
            if (trimmed.starts_with("https://") || trimmed.starts_with("http://")) && trimmed.len() > 8 {
                format!(
                    r#"<a class="usa-link" href="{trimmed}" rel="nofollow noopener">{trimmed}</a>{}"#,
                    &w[trimmed.len()..]
                )
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn inline(line: &str, names: &[String]) -> String {
    let mut s = links(&pair(&pair(&escape(line), "**", "strong"), "*", "em"));
    for n in names {
        let at = format!("@{}", escape(n));
        if s.contains(&at) {
            s = s.replace(&at, &format!(r#"<strong class="cb-mention">{at}</strong>"#));
        }
    }
    s
}

/// Renders member text to safe HTML. `names` are the people who can be mentioned (`@Full Name`).
pub fn render(text: &str, names: &[String]) -> String {
    let mut out = String::new();
    for block in text.replace("\r\n", "\n").split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        let lines: Vec<&str> = block.lines().collect();
        if lines.iter().all(|l| l.trim_start().starts_with("- ")) {
            out.push_str("<ul class=\"usa-list\">");
            for l in lines {
                out.push_str(&format!("<li>{}</li>", inline(l.trim_start().trim_start_matches("- "), names)));
            }
            out.push_str("</ul>");
        } else {
            let body: Vec<String> = lines.iter().map(|l| inline(l, names)).collect();
            out.push_str(&format!("<p>{}</p>", body.join("<br>")));
        }
    }
    out
}

/// The people of `names` mentioned in `text` as `@Full Name`.
pub fn mentions<'a>(text: &str, names: &'a [String]) -> Vec<&'a String> {
    names.iter().filter(|n| text.contains(&format!("@{n}"))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn renders_the_subset_and_escapes_everything_else() {
        assert_eq!(render("Hello **world** and *you*", &[]), "<p>Hello <strong>world</strong> and <em>you</em></p>");
        assert_eq!(render("- one\n- two", &[]), r#"<ul class="usa-list"><li>one</li><li>two</li></ul>"#);
        assert_eq!(render("a\nb\n\nc", &[]), "<p>a<br>b</p><p>c</p>");
        assert_eq!(render("<script>alert(1)</script>", &[]), "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
        assert!(
            render("see https://example.org/x.", &[])
                .contains(r#"href="https://example.org/x" rel="nofollow noopener""#)
        );
        assert!(!render("javascript:alert(1)", &[]).contains("<a"));
        let names = vec!["Rosa Hernández".to_string()];
        assert!(
            render("thanks @Rosa Hernández!", &names)
                .contains(r#"<strong class="cb-mention">@Rosa Hernández</strong>"#)
        );
        assert_eq!(mentions("ping @Rosa Hernández", &names).len(), 1);
        assert_eq!(render("an ** unclosed", &[]), "<p>an ** unclosed</p>");
    }

    proptest! {
        #[test]
        fn no_raw_angle_brackets_or_quotes_survive(s in ".{0,200}") {
            let html = render(&s, &[]);
            let stripped = html.replace("<p>", "").replace("</p>", "").replace("<br>", "").replace("<strong>", "").replace("</strong>", "")
                .replace("<em>", "").replace("</em>", "").replace(r#"<ul class="usa-list">"#, "").replace("</ul>", "").replace("<li>", "").replace("</li>", "");
            let without_links = stripped.split("<a class=").next().unwrap_or("").to_string();
            prop_assert!(!without_links.contains('<') && !without_links.contains('>'));
        }
    }
}
