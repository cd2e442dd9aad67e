//! `rename_all`: the case conventions a struct can apply to its field names.
//!
//! The rules and their spellings are serde's, so a model can share its naming
//! with the serde representation of the same type.

use std::fmt::{self, Display};

/// A case convention for attribute names.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum RenameRule {
    /// Field names are used as written.
    None,
    /// `lowercase`.
    LowerCase,
    /// `UPPERCASE`.
    UpperCase,
    /// `PascalCase`.
    PascalCase,
    /// `camelCase`.
    CamelCase,
    /// `snake_case`.
    SnakeCase,
    /// `SCREAMING_SNAKE_CASE`.
    ScreamingSnakeCase,
    /// `kebab-case`.
    KebabCase,
    /// `SCREAMING-KEBAB-CASE`.
    ScreamingKebabCase,
}

/// Every accepted spelling, in the order error messages list them.
static RENAME_RULES: &[(&str, RenameRule)] = &[
    ("lowercase", RenameRule::LowerCase),
    ("UPPERCASE", RenameRule::UpperCase),
    ("PascalCase", RenameRule::PascalCase),
    ("camelCase", RenameRule::CamelCase),
    ("snake_case", RenameRule::SnakeCase),
    ("SCREAMING_SNAKE_CASE", RenameRule::ScreamingSnakeCase),
    ("kebab-case", RenameRule::KebabCase),
    ("SCREAMING-KEBAB-CASE", RenameRule::ScreamingKebabCase),
];

impl RenameRule {
    /// Looks up a rule by its spelling in `rename_all = "..."`.
    pub fn parse(rule: &str) -> Result<Self, ParseError<'_>> {
        RENAME_RULES.iter().find(|(name, _)| *name == rule).map(|(_, rule)| *rule).ok_or(ParseError { unknown: rule })
    }

    /// Applies the rule to a field name, which Rust style writes in snake_case.
    pub fn apply_to_field(self, field: &str) -> String {
        match self {
            RenameRule::None | RenameRule::LowerCase | RenameRule::SnakeCase => field.to_owned(),
            RenameRule::UpperCase | RenameRule::ScreamingSnakeCase => field.to_ascii_uppercase(),
            RenameRule::PascalCase => {
                let mut pascal = String::with_capacity(field.len());
                let mut capitalize = true;
                for ch in field.chars() {
                    if ch == '_' {
                        capitalize = true;
                    } else if capitalize {
                        pascal.push(ch.to_ascii_uppercase());
                        capitalize = false;
                    } else {
                        pascal.push(ch);
                    }
                }
                pascal
            }
            RenameRule::CamelCase => {
                let pascal = RenameRule::PascalCase.apply_to_field(field);
                // By chars, not bytes: a field may start with a non-ASCII letter.
                let mut chars = pascal.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                    None => pascal,
                }
            }
            RenameRule::KebabCase => field.replace('_', "-"),
            RenameRule::ScreamingKebabCase => field.to_ascii_uppercase().replace('_', "-"),
        }
    }
}

/// The SCREAMING_SNAKE_CASE name of the constant for a field or an index:
/// words split at `_`, `-`, `.` and at case changes (`total_cents` and
/// `totalCents` both give `TOTAL_CENTS`, `by-status` gives `BY_STATUS`).
///
/// Only ASCII letters change case and separators become `_`, so the name of a
/// Rust field stays a valid identifier; a name that starts with a digit (which an
/// index name may) gets a leading `_` to become one.
pub fn screaming_snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    if chars.first().is_some_and(char::is_ascii_digit) {
        out.push('_');
    }
    for (i, &ch) in chars.iter().enumerate() {
        if matches!(ch, '-' | '.') {
            out.push('_');
            continue;
        }
        if ch.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            // `aB`, `a2B`, and the last capital of an acronym before a word: `HTTPServer`.
            if prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_is_lower) {
                out.push('_');
            }
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// An unknown `rename_all` value; displays as a message listing the valid ones.
#[derive(Debug)]
pub struct ParseError<'a> {
    unknown: &'a str,
}

impl ParseError<'_> {
    /// The accepted spelling closest to the unknown one, if any is close enough.
    pub fn suggestion(&self) -> Option<&'static str> {
        crate::suggest::closest(self.unknown, RENAME_RULES.iter().map(|(name, _)| *name))
    }
}

impl Display for ParseError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "unknown `rename_all` rule {:?}", self.unknown)?;
        if let Some(suggestion) = self.suggestion() {
            return write!(f, "; did you mean `{suggestion}`?");
        }
        f.write_str("; expected one of ")?;
        for (i, (name, _)) in RENAME_RULES.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "`{name}`")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::RenameRule::{self, *};

    #[test]
    fn rename_fields() {
        for &(original, upper, pascal, camel, screaming, kebab, screaming_kebab) in &[
            ("outcome", "OUTCOME", "Outcome", "outcome", "OUTCOME", "outcome", "OUTCOME"),
            ("very_tasty", "VERY_TASTY", "VeryTasty", "veryTasty", "VERY_TASTY", "very-tasty", "VERY-TASTY"),
            ("a", "A", "A", "a", "A", "a", "A"),
            ("z42", "Z42", "Z42", "z42", "Z42", "z42", "Z42"),
            (
                "customer_id_2",
                "CUSTOMER_ID_2",
                "CustomerId2",
                "customerId2",
                "CUSTOMER_ID_2",
                "customer-id-2",
                "CUSTOMER-ID-2",
            ),
        ] {
            assert_eq!(None.apply_to_field(original), original);
            assert_eq!(LowerCase.apply_to_field(original), original);
            assert_eq!(UpperCase.apply_to_field(original), upper);
            assert_eq!(PascalCase.apply_to_field(original), pascal);
            assert_eq!(CamelCase.apply_to_field(original), camel);
            assert_eq!(SnakeCase.apply_to_field(original), original);
            assert_eq!(ScreamingSnakeCase.apply_to_field(original), screaming);
            assert_eq!(KebabCase.apply_to_field(original), kebab);
            assert_eq!(ScreamingKebabCase.apply_to_field(original), screaming_kebab);
        }
    }

    #[test]
    fn odd_field_names_do_not_panic() {
        // A leading underscore marks a field as unused-on-purpose; `_` alone is legal too.
        assert_eq!(CamelCase.apply_to_field("_private_note"), "privateNote");
        assert_eq!(PascalCase.apply_to_field("_"), "");
        assert_eq!(CamelCase.apply_to_field("_"), "");
        assert_eq!(CamelCase.apply_to_field(""), "");
        assert_eq!(CamelCase.apply_to_field("été_froid"), "étéFroid");
        assert_eq!(PascalCase.apply_to_field("a__b"), "AB");
    }

    #[test]
    fn constant_names() {
        use super::screaming_snake;
        for (name, expected) in [
            ("total_cents", "TOTAL_CENTS"),
            ("totalCents", "TOTAL_CENTS"),
            ("a_b", "A_B"),
            ("aB", "A_B"),
            ("customerID", "CUSTOMER_ID"),
            ("HTTPServer", "HTTP_SERVER"),
            ("v2Name", "V2_NAME"),
            ("line2", "LINE2"),
            ("_private", "_PRIVATE"),
            ("by-status", "BY_STATUS"),
            ("by.status", "BY_STATUS"),
            ("2nd_index", "_2ND_INDEX"),
            ("été", "éTé"),
        ] {
            assert_eq!(screaming_snake(name), expected, "{name}");
        }
    }

    #[test]
    fn parse_rules() {
        assert_eq!(RenameRule::parse("camelCase").ok(), Some(CamelCase));
        assert_eq!(RenameRule::parse("SCREAMING-KEBAB-CASE").ok(), Some(ScreamingKebabCase));
        assert!(RenameRule::parse("none").is_err());
        assert!(RenameRule::parse("CamelCase").is_err());
    }

    #[test]
    fn parse_error_suggests_the_closest_rule() {
        let err = RenameRule::parse("camelcase").expect_err("not a rule");
        assert_eq!(err.suggestion(), Some("camelCase"));
        assert_eq!(err.to_string(), "unknown `rename_all` rule \"camelcase\"; did you mean `camelCase`?");
        let err = RenameRule::parse("snake-case").expect_err("not a rule");
        assert_eq!(err.suggestion(), Some("snake_case"));
        let err = RenameRule::parse("SCREAMING_KEBAB_CASE").expect_err("not a rule");
        assert!(err.suggestion().is_some());
        let err = RenameRule::parse("xyz").expect_err("not a rule");
        assert_eq!(err.suggestion(), Option::None);
        assert!(err.to_string().contains("expected one of `lowercase`, `UPPERCASE`"));
    }
}
