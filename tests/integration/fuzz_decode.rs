//! Decoding arbitrary items never panics: whatever DynamoDB holds, reading it through a
//! model gives the struct or a typed error that names one of the model's attributes.

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use dynamo_model::{AttributeValue, Document, Error};
use proptest::prelude::*;

use crate::roundtrip::Everything;

fn scalar() -> impl Strategy<Value = AttributeValue> {
    prop_oneof![
        any::<String>().prop_map(AttributeValue::S),
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            any::<f64>().prop_map(|n| n.to_string()),
            "[-+]?[0-9]{0,45}(\\.[0-9]{0,5})?(e[-+]?[0-9]{1,3})?",
        ]
        .prop_map(AttributeValue::N),
        any::<Vec<u8>>().prop_map(|b| AttributeValue::B(Blob::new(b))),
        any::<bool>().prop_map(AttributeValue::Bool),
        Just(AttributeValue::Null(true)),
        prop::collection::vec(any::<String>(), 0..4).prop_map(AttributeValue::Ss),
        prop::collection::vec("-?[0-9]{1,40}", 0..4).prop_map(AttributeValue::Ns),
        prop::collection::vec(any::<Vec<u8>>(), 0..3)
            .prop_map(|v| AttributeValue::Bs(v.into_iter().map(Blob::new).collect())),
    ]
}

fn value() -> impl Strategy<Value = AttributeValue> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(AttributeValue::L),
            prop::collection::hash_map("[a-z]{1,6}", inner, 0..4).prop_map(AttributeValue::M),
        ]
    })
}

/// Items made of the model's own attribute names (so decoding goes deep) and a few
/// others, each holding any value.
fn item() -> impl Strategy<Value = HashMap<String, AttributeValue>> {
    let name =
        prop_oneof![prop::sample::select(Everything::ATTRIBUTES.to_vec()).prop_map(str::to_owned), "[a-z]{1,8}",];
    prop::collection::hash_map(name, value(), 0..Everything::ATTRIBUTES.len() + 4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decoding_arbitrary_items_never_panics(item in item()) {
        match Everything::from_item(item) {
            Ok(_) => {}
            Err(Error::Decode { model, attribute, .. }) => {
                prop_assert_eq!(model, "Everything");
                let root = attribute.split(['.', '[']).next().unwrap_or_default();
                prop_assert!(Everything::ATTRIBUTES.contains(&root), "unknown attribute {}", attribute);
            }
            Err(other) => prop_assert!(false, "not a decode error: {:?}", other),
        }
    }

    #[test]
    fn a_valid_item_with_one_attribute_replaced_decodes_or_names_that_attribute(
        index in 0..Everything::ATTRIBUTES.len(),
        replacement in value(),
    ) {
        let mut item = crate::roundtrip::everything().to_item().unwrap();
        let name = Everything::ATTRIBUTES[index];
        item.insert(name.to_owned(), replacement);
        if let Err(err) = Everything::from_item(item) {
            match err {
                Error::Decode { attribute, .. } => {
                    prop_assert!(attribute == name || attribute.starts_with(&format!("{name}.")) || attribute.starts_with(&format!("{name}[")), "{} vs {}", attribute, name);
                }
                other => prop_assert!(false, "not a decode error: {:?}", other),
            }
        }
    }
}
