//! The SAM template says what the models say: infrastructure cannot drift from code.

use std::collections::BTreeMap;

use dynamo_model::{IndexKind, IndexProjection, KeyDef, ScalarType, Table};
use items_api::ItemsTable;
use yaml_rust2::{Yaml, YamlLoader};

fn template() -> Yaml {
    let text = include_str!("../template.yaml");
    YamlLoader::load_from_str(text).expect("template.yaml is YAML").remove(0)
}

fn text(yaml: &Yaml) -> String {
    match yaml {
        Yaml::String(s) => s.clone(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Integer(i) => i.to_string(),
        other => panic!("expected text, found {other:?}"),
    }
}

fn list(yaml: &Yaml) -> &Vec<Yaml> {
    yaml.as_vec().unwrap_or_else(|| panic!("expected a list, found {yaml:?}"))
}

fn scalar(scalar: ScalarType) -> &'static str {
    match scalar {
        ScalarType::S => "S",
        ScalarType::N => "N",
        ScalarType::B => "B",
    }
}

/// `[(name, HASH|RANGE)]` of a KeySchema.
fn key_schema(yaml: &Yaml) -> Vec<(String, String)> {
    list(yaml).iter().map(|key| (text(&key["AttributeName"]), text(&key["KeyType"]))).collect()
}

fn expected_keys(hash: KeyDef, range: Option<KeyDef>) -> Vec<(String, String)> {
    let mut keys = vec![(hash.name.to_owned(), "HASH".to_owned())];
    keys.extend(range.map(|range| (range.name.to_owned(), "RANGE".to_owned())));
    keys
}

/// Resources of a type, by logical name.
fn resources<'a>(template: &'a Yaml, kind: &str) -> Vec<(&'a str, &'a Yaml)> {
    template["Resources"]
        .as_hash()
        .expect("Resources")
        .iter()
        .filter(|(_, resource)| resource["Type"].as_str() == Some(kind))
        .map(|(name, resource)| (name.as_str().expect("a name"), resource))
        .collect()
}

#[test]
fn the_table_in_the_template_is_the_models_table() {
    let template = template();
    let tables = resources(&template, "AWS::DynamoDB::Table");
    assert_eq!(tables.len(), 1, "one table");
    let table = &tables[0].1["Properties"];
    let def = ItemsTable::DEF;

    // The name: the stack's prefix (ITEMS_TABLE_PREFIX) and the table's own name.
    assert_eq!(text(&table["TableName"]["Fn::Sub"]), format!("${{AWS::StackName}}-{}", def.name));
    assert_eq!(
        text(&template["Globals"]["Function"]["Environment"]["Variables"]["ITEMS_TABLE_PREFIX"]["Fn::Sub"]),
        "${AWS::StackName}-"
    );

    // Keys, with their types: every attribute definition is a key of the table or of an
    // index, and every key is defined.
    assert_eq!(key_schema(&table["KeySchema"]), expected_keys(def.key.hash, def.key.range));
    let defined: BTreeMap<String, String> = list(&table["AttributeDefinitions"])
        .iter()
        .map(|d| (text(&d["AttributeName"]), text(&d["AttributeType"])))
        .collect();
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    let all_keys = [Some(def.key.hash), def.key.range]
        .into_iter()
        .chain(def.indexes.iter().flat_map(|index| [Some(index.hash), index.range]))
        .flatten();
    for key in all_keys {
        keys.insert(key.name.to_owned(), scalar(key.scalar).to_owned());
    }
    assert_eq!(defined, keys);

    // Indexes: names, kinds, keys and projections.
    let empty = Vec::new();
    let globals = table["GlobalSecondaryIndexes"].as_vec().unwrap_or(&empty);
    let locals = table["LocalSecondaryIndexes"].as_vec().unwrap_or(&empty);
    assert_eq!(globals.len() + locals.len(), def.indexes.len());
    for index in def.indexes {
        let declared = match index.kind {
            IndexKind::Global => globals,
            IndexKind::Local => locals,
        };
        let declared = declared
            .iter()
            .find(|d| d["IndexName"].as_str() == Some(index.name))
            .unwrap_or_else(|| panic!("index {} is in the template", index.name));
        assert_eq!(key_schema(&declared["KeySchema"]), expected_keys(index.hash, index.range), "{}", index.name);
        let projection = &declared["Projection"];
        match index.projection {
            IndexProjection::All => assert_eq!(text(&projection["ProjectionType"]), "ALL"),
            IndexProjection::KeysOnly => assert_eq!(text(&projection["ProjectionType"]), "KEYS_ONLY"),
            IndexProjection::Include(names) => {
                assert_eq!(text(&projection["ProjectionType"]), "INCLUDE");
                let mut declared: Vec<String> = list(&projection["NonKeyAttributes"]).iter().map(text).collect();
                let mut names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
                declared.sort();
                names.sort();
                assert_eq!(declared, names, "{}", index.name);
            }
        }
    }

    // The stream and the time to live.
    let view = def.stream.expect("the items table declares a stream").as_str();
    assert_eq!(text(&table["StreamSpecification"]["StreamViewType"]), view);
    assert_eq!(view, "NEW_AND_OLD_IMAGES", "the count handler needs both images");
    assert_eq!(text(&table["TimeToLiveSpecification"]["AttributeName"]), def.ttl.expect("a TTL attribute"));
    assert_eq!(text(&table["TimeToLiveSpecification"]["Enabled"]), "true");
}

#[test]
fn both_functions_run_on_al2023_and_the_stream_reports_item_failures() {
    let template = template();
    let globals = &template["Globals"]["Function"];
    assert_eq!(text(&globals["Runtime"]), "provided.al2023");
    assert_eq!(text(&globals["Handler"]), "bootstrap");
    let functions = resources(&template, "AWS::Serverless::Function");
    let names: Vec<&str> = functions.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, ["ApiFunction", "StreamFunction"]);
    for (name, function) in &functions {
        assert!(function["Properties"]["Runtime"].is_badvalue(), "{name} takes the global runtime");
    }
    // Each function's code is what `cargo lambda build` makes of the binary of that name.
    let binaries = [("ApiFunction", "items-api"), ("StreamFunction", "items-stream")];
    for ((name, function), (expected, binary)) in functions.iter().zip(binaries) {
        assert_eq!(*name, expected);
        assert_eq!(text(&function["Properties"]["CodeUri"]), format!("../../target/lambda/{binary}/"));
    }

    let api = &functions[0].1["Properties"]["Events"];
    assert_eq!(text(&api["RestApi"]["Type"]), "Api");
    assert_eq!(text(&api["HttpApi"]["Type"]), "HttpApi");
    for event in ["RestApi", "HttpApi"] {
        assert_eq!(text(&api[event]["Properties"]["Path"]), "/{proxy+}");
        assert_eq!(text(&api[event]["Properties"]["Method"]), "ANY");
    }

    let stream = &functions[1].1["Properties"]["Events"]["ItemsStream"];
    assert_eq!(text(&stream["Type"]), "DynamoDB");
    let arn = list(&stream["Properties"]["Stream"]["Fn::GetAtt"]);
    assert_eq!(
        (text(&arn[0]), text(&arn[1])),
        (resources(&template, "AWS::DynamoDB::Table")[0].0.to_owned(), "StreamArn".to_owned())
    );
    let responses: Vec<String> = list(&stream["Properties"]["FunctionResponseTypes"]).iter().map(text).collect();
    assert_eq!(responses, ["ReportBatchItemFailures"]);
}
