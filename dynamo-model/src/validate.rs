//! The checks behind `#[dynamo(validate(...))]`, `required` and `validate = f`, called
//! by generated code (through `__private::rules`) before any write.
//!
//! Each check appends a [`FieldError`] instead of returning early, so one failed write
//! reports every broken rule at once.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::{Debug, Display};
use std::sync::OnceLock;

pub use regex::Regex;

use crate::error::{Error, FieldError, Rule};

/// A short, single-line description of a value for error messages.
pub fn describe<T: Debug + ?Sized>(value: &T) -> String {
    let mut text = format!("{value:?}");
    if let Some((cut, _)) = text.char_indices().nth(60) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

fn push<T: Debug + ?Sized>(errors: &mut Vec<FieldError>, attribute: &'static str, rule: Rule, value: &T) {
    errors.push(FieldError { attribute: Cow::Borrowed(attribute), rule, value: describe(value) });
}

/// `validate(min = ..)`.
pub fn min<T: PartialOrd + Display + Debug>(errors: &mut Vec<FieldError>, attribute: &'static str, value: &T, min: T) {
    // NaN compares as neither: it breaks the rule.
    if matches!(value.partial_cmp(&min), Some(std::cmp::Ordering::Less) | None) {
        push(errors, attribute, Rule::Min(min.to_string()), value);
    }
}

/// `validate(max = ..)`.
pub fn max<T: PartialOrd + Display + Debug>(errors: &mut Vec<FieldError>, attribute: &'static str, value: &T, max: T) {
    if matches!(value.partial_cmp(&max), Some(std::cmp::Ordering::Greater) | None) {
        push(errors, attribute, Rule::Max(max.to_string()), value);
    }
}

/// Something with a length: characters of a string, elements of a collection.
pub trait HasLength {
    /// The length.
    fn length(&self) -> usize;
}

impl HasLength for String {
    fn length(&self) -> usize {
        self.chars().count()
    }
}

impl HasLength for str {
    fn length(&self) -> usize {
        self.chars().count()
    }
}

impl<T> HasLength for Vec<T> {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<T, S> HasLength for HashSet<T, S> {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<T> HasLength for BTreeSet<T> {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<K, V, S> HasLength for HashMap<K, V, S> {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<K, V> HasLength for BTreeMap<K, V> {
    fn length(&self) -> usize {
        self.len()
    }
}

/// `validate(len(min = .., max = ..))`.
pub fn length<T: HasLength + Debug + ?Sized>(
    errors: &mut Vec<FieldError>,
    attribute: &'static str,
    value: &T,
    min: Option<usize>,
    max: Option<usize>,
) {
    let len = value.length();
    if min.is_some_and(|min| len < min) || max.is_some_and(|max| len > max) {
        push(errors, attribute, Rule::Length { min, max }, value);
    }
}

/// `validate(non_empty)`.
pub fn non_empty<T: HasLength + Debug + ?Sized>(errors: &mut Vec<FieldError>, attribute: &'static str, value: &T) {
    if value.length() == 0 {
        push(errors, attribute, Rule::NonEmpty, value);
    }
}

/// `validate(regex = "..")`. The pattern was checked when the model compiled; it is
/// compiled once per process, on first use.
pub fn pattern(
    errors: &mut Vec<FieldError>,
    attribute: &'static str,
    value: &str,
    compiled: &'static OnceLock<Option<Regex>>,
    pattern: &'static str,
) {
    let regex = compiled.get_or_init(|| Regex::new(pattern).ok());
    if !regex.as_ref().is_some_and(|regex| regex.is_match(value)) {
        push(errors, attribute, Rule::Pattern(pattern), value);
    }
}

/// `validate(one_of = [..])`.
pub fn one_of<T, A>(errors: &mut Vec<FieldError>, attribute: &'static str, value: &T, allowed: &[A])
where
    T: PartialEq<A> + Debug + ?Sized,
    A: Display,
{
    if !allowed.iter().any(|a| *value == *a) {
        push(errors, attribute, Rule::OneOf(allowed.iter().map(ToString::to_string).collect()), value);
    }
}

/// `validate(email)`: one `@` between a non-empty local part and a domain with a dot,
/// no spaces. Deliverability is not this library's business.
pub fn email(errors: &mut Vec<FieldError>, attribute: &'static str, value: &str) {
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|part| !part.is_empty())
                && !value.contains(char::is_whitespace)
        }
        None => false,
    };
    if !valid {
        push(errors, attribute, Rule::Email, value);
    }
}

/// `required` on an `Option` field.
pub fn required<T: Debug>(errors: &mut Vec<FieldError>, attribute: &'static str, value: &Option<T>) {
    if value.is_none() {
        push(errors, attribute, Rule::Required, value);
    }
}

/// `validate(with = f)` on a field, `f: fn(&T) -> Result<(), String>`.
pub fn custom<T: Debug + ?Sized>(
    errors: &mut Vec<FieldError>,
    attribute: &'static str,
    value: &T,
    outcome: Result<(), String>,
) {
    if let Err(message) = outcome {
        push(errors, attribute, Rule::Custom(message), value);
    }
}

/// The model's own `validate = f`, `f: fn(&Self) -> Result<(), String>`; reported
/// under the model's name.
pub fn model(errors: &mut Vec<FieldError>, model: &'static str, outcome: Result<(), String>) {
    if let Err(message) = outcome {
        errors.push(FieldError {
            attribute: Cow::Borrowed(model),
            rule: Rule::Custom(message),
            value: "the item".into(),
        });
    }
}

/// The outcome of validating a whole item.
pub fn finish(model: &'static str, errors: Vec<FieldError>) -> crate::Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation { model, errors })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_broken_rule_is_reported() {
        let mut errors = Vec::new();
        min(&mut errors, "total", &-1i64, 0);
        max(&mut errors, "total", &5i64, 10);
        length(&mut errors, "name", "ab", Some(3), Some(5));
        non_empty(&mut errors, "tags", &Vec::<String>::new());
        static RE: OnceLock<Option<Regex>> = OnceLock::new();
        pattern(&mut errors, "code", "abc", &RE, "^[A-Z]+$");
        one_of(&mut errors, "status", &"lost".to_owned(), &["new", "open"]);
        email(&mut errors, "email", "not-an-email");
        required::<String>(&mut errors, "nickname", &None);
        custom(&mut errors, "x", &1, Err("odd".into()));
        model(&mut errors, "Order", Err("totals disagree".into()));
        let attributes: Vec<&str> = errors.iter().map(|e| e.attribute.as_ref()).collect();
        assert_eq!(attributes, ["total", "name", "tags", "code", "status", "email", "nickname", "x", "Order"]);
        let err = finish("Order", errors).unwrap_err();
        assert!(err.to_string().starts_with("Order: `total` must be at least 0 (got -1); `name` must have a length"));
    }

    #[test]
    fn valid_values_pass() {
        let mut errors = Vec::new();
        min(&mut errors, "a", &0.5f64, 0.0);
        length(&mut errors, "b", "héllo", Some(5), Some(5));
        email(&mut errors, "c", "ada@example.org");
        one_of(&mut errors, "d", &2u8, &[1u8, 2, 3]);
        static RE: OnceLock<Option<Regex>> = OnceLock::new();
        pattern(&mut errors, "e", "ABC", &RE, "^[A-Z]+$");
        assert_eq!(errors, []);
        for bad in ["@x.y", "a@", "a@b", "a@b.", "a b@c.d", "a@@b.c"] {
            email(&mut errors, "c", bad);
        }
        assert_eq!(errors.len(), 6);
    }
}
