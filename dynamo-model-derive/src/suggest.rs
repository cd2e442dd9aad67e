//! Suggestions for a word that is not one of those expected: the key, rule,
//! field, projection or `rename_all` rule the user most likely meant.

/// The candidate closest to `unknown`, if one is close enough to be what the
/// user meant. Case, `-` and `_` are ignored: `camelcase`, `hashKey` and
/// `snake-case` are slips, not different words.
pub(crate) fn closest<'a>(unknown: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    fn normalize(word: &str) -> String {
        word.chars().filter(|c| !matches!(c, '_' | '-')).map(|c| c.to_ascii_lowercase()).collect()
    }
    let unknown = normalize(unknown);
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(&unknown, &normalize(candidate)), candidate))
        .filter(|(score, _)| *score >= 0.82)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;
    use crate::symbol::{CONTAINER_KEYS, FIELD_KEYS};

    fn field(word: &str) -> Option<&'static str> {
        closest(word, FIELD_KEYS.iter().map(|key| key.as_str()))
    }

    #[test]
    fn suggests_field_keys() {
        assert_eq!(field("hash_ky"), Some("hash_key"));
        assert_eq!(field("hashkey"), Some("hash_key"));
        assert_eq!(field("hashKey"), Some("hash_key"));
        assert_eq!(field("hash"), Some("hash_key"));
        assert_eq!(field("rangekey"), Some("range_key"));
        assert_eq!(field("range"), Some("range_key"));
        assert_eq!(field("renam"), Some("rename"));
        assert_eq!(field("defualt"), Some("default"));
        assert_eq!(field("skipp"), Some("skip"));
        assert_eq!(field("skip_serializing"), Some("skip"));
        assert_eq!(field("serd"), Some("serde"));
        assert_eq!(field("wiht"), Some("with"));
    }

    #[test]
    fn does_not_guess_wildly() {
        assert_eq!(field("flatten"), None);
        assert_eq!(field("index"), None);
        assert_eq!(field("cache"), None);
        assert_eq!(closest("bucket", CONTAINER_KEYS.iter().map(|key| key.as_str())), None);
    }

    #[test]
    fn suggests_index_keys_and_projections() {
        use crate::symbol::{GSI_KEYS, PROJECTIONS};
        let index = |word| closest(word, GSI_KEYS.iter().map(|key| key.as_str()));
        assert_eq!(index("hsah"), Some("hash"));
        assert_eq!(index("hash_key"), Some("hash"));
        assert_eq!(index("range_key"), Some("range"));
        assert_eq!(index("projections"), Some("projection"));
        let projection = |word| closest(word, PROJECTIONS.iter().map(|key| key.as_str()));
        assert_eq!(projection("KEYS_ONLY"), Some("keys_only"));
        assert_eq!(projection("keysonly"), Some("keys_only"));
        assert_eq!(projection("ALL"), Some("all"));
        assert_eq!(projection("includes"), Some("include"));
        assert_eq!(projection("everything"), None);
    }

    #[test]
    fn suggests_new_field_keys() {
        assert_eq!(field("defaultfn"), Some("default_fn"));
        assert_eq!(field("default_func"), Some("default_fn"));
        assert_eq!(field("requred"), Some("required"));
        assert_eq!(field("validation"), Some("validate"));
        assert_eq!(field("createdAt"), Some("created_at"));
        assert_eq!(field("updated"), Some("updated_at"));
        assert_eq!(field("versoin"), Some("version"));
        assert_eq!(field("counters"), Some("counter"));
    }

    #[test]
    fn suggests_rules() {
        use crate::symbol::{LEN_KEYS, VALIDATE_KEYS};
        let rule = |word| closest(word, VALIDATE_KEYS.iter().map(|key| key.as_str()));
        assert_eq!(rule("minimum"), Some("min"));
        assert_eq!(rule("maximum"), Some("max"));
        assert_eq!(rule("length"), Some("len"));
        assert_eq!(rule("nonempty"), Some("non_empty"));
        assert_eq!(rule("not_empty"), Some("non_empty"));
        assert_eq!(rule("oneof"), Some("one_of"));
        assert_eq!(rule("regexp"), Some("regex"));
        assert_eq!(rule("mail"), Some("email"));
        assert_eq!(rule("uppercase"), None);
        let len = |word| closest(word, LEN_KEYS.iter().map(|key| key.as_str()));
        assert_eq!(len("minimum"), Some("min"));
        assert_eq!(len("maximum"), Some("max"));
    }

    #[test]
    fn suggests_container_keys() {
        let container = |word| closest(word, CONTAINER_KEYS.iter().map(|key| key.as_str()));
        assert_eq!(container("tabel"), Some("table"));
        assert_eq!(container("renameall"), Some("rename_all"));
        assert_eq!(container("rename"), Some("rename_all"));
    }
}
