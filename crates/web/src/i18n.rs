//! Translations (Fluent): every user-visible string lives in `locales/{en,es}/main.ftl`.

use commonbeat_domain::Locale;
use fluent_templates::{Loader, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en");
static ES: LanguageIdentifier = langid!("es");

fn lang_id(l: Locale) -> &'static LanguageIdentifier {
    match l {
        Locale::En => &EN,
        Locale::Es => &ES,
    }
}

/// The translator handed to every template.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    /// The language of the page.
    pub locale: Locale,
}

impl Tr {
    /// A translator for `locale`.
    pub fn new(locale: Locale) -> Tr {
        Tr { locale }
    }

    /// The message for `key`.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(lang_id(self.locale), key)
    }

    /// The message for `key` with one named argument.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        let mut args: HashMap<Cow<'static, str>, fluent_templates::fluent_bundle::FluentValue> = HashMap::new();
        args.insert(Cow::Owned(name.to_string()), value.to_string().into());
        LOCALES.lookup_with_args(lang_id(self.locale), key, &args)
    }

    /// The message for `key` with two named arguments.
    pub fn t2(&self, key: &str, a: (&str, &str), b: (&str, &str)) -> String {
        let mut args: HashMap<Cow<'static, str>, fluent_templates::fluent_bundle::FluentValue> = HashMap::new();
        args.insert(Cow::Owned(a.0.to_string()), a.1.to_string().into());
        args.insert(Cow::Owned(b.0.to_string()), b.1.to_string().into());
        LOCALES.lookup_with_args(lang_id(self.locale), key, &args)
    }

    /// The message for `key` with any number of named arguments (numbers stay numbers, for plural rules).
    pub fn ta(&self, key: &str, args: &[(&str, f64)]) -> String {
        let mut map: HashMap<Cow<'static, str>, fluent_templates::fluent_bundle::FluentValue> = HashMap::new();
        for (name, value) in args {
            map.insert(Cow::Owned(name.to_string()), (*value).into());
        }
        LOCALES.lookup_with_args(lang_id(self.locale), key, &map)
    }

    /// The BCP 47 tag of the page language.
    pub fn lang(&self) -> &'static str {
        self.locale.tag()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(src: &str) -> BTreeSet<String> {
        src.lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
            .collect()
    }

    /// Every key of every .ftl file of a language.
    fn all_keys(lang: &str) -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang);
        let mut out = BTreeSet::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "ftl") {
                let before = out.len();
                let k = keys(&std::fs::read_to_string(&p).unwrap());
                let n = k.len();
                out.extend(k);
                assert_eq!(out.len(), before + n, "{} repeats a key of another file", p.display());
            }
        }
        out
    }

    #[test]
    fn english_and_spanish_have_the_same_keys() {
        let en = all_keys("en");
        let es = all_keys("es");
        let only_en: Vec<_> = en.difference(&es).collect();
        let only_es: Vec<_> = es.difference(&en).collect();
        assert!(only_en.is_empty() && only_es.is_empty(), "only in en: {only_en:?}; only in es: {only_es:?}");
        assert!(en.len() > 50);
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let en = all_keys("en");
        let mut missing = Vec::new();
        for dir in ["templates", "src"] {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
            let mut stack = vec![root];
            while let Some(p) = stack.pop() {
                for e in std::fs::read_dir(&p).unwrap() {
                    let path = e.unwrap().path();
                    if path.is_dir() {
                        stack.push(path);
                        continue;
                    }
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    for pat in [".t(\"", ".t1(\"", ".t2(\""] {
                        for (i, _) in text.match_indices(pat) {
                            let rest = &text[i + pat.len()..];
                            let key = &rest[..rest.find('"').unwrap_or(0)];
                            if !key.is_empty() && !key.contains(' ') && !en.contains(key) {
                                missing.push(format!("{}: {key}", path.display()));
                            }
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys missing from locales/en: {missing:#?}");
    }

    #[test]
    fn spanish_is_really_spanish() {
        assert_eq!(Tr::new(Locale::En).t("nav-sign-in"), "Sign in");
        assert_eq!(Tr::new(Locale::Es).t("nav-sign-in"), "Iniciar sesión");
        assert!(Tr::new(Locale::Es).t1("home-welcome-user", "name", "Ana").contains("Ana"));
    }

    #[test]
    fn an_attendance_that_has_not_fallen_is_not_said_to_have_fallen_zero_times() {
        for locale in [Locale::En, Locale::Es] {
            let tr = Tr::new(locale);
            let none = tr.ta("health-says-community-attendance", &[("last", 12.0), ("declines", 0.0), ("from", 15.0)]);
            assert!(!none.contains(" 0 ") && !none.contains("15"), "{none}");
            let three = tr.ta("health-says-community-attendance", &[("last", 4.0), ("declines", 3.0), ("from", 15.0)]);
            assert!(three.contains('3') && three.contains("15"), "{three}");
        }
    }
}
