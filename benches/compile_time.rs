//! The derive's compile-time cost: a generated crate of 100 models of 10 fields each,
//! built with `#[derive(Model)]` against the same structs with only
//! `#[derive(Serialize, Deserialize)]`, clean (the crate itself; its dependencies built
//! once beforehand) and incremental (one model's file touched). Medians of 3 builds.
//!
//! ```text
//! cargo bench --bench compile_time
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const MODELS: usize = 100;
const ROUNDS: usize = 3;

/// The field types, cycled: strings, numbers, options, collections.
const TYPES: [&str; 10] =
    ["String", "i64", "u32", "f64", "bool", "Option<String>", "Vec<String>", "u8", "Option<i64>", "String"];

fn model(index: usize, derive: &str) -> String {
    let mut source = format!("use dynamo_model::Model;\nuse serde::{{Deserialize, Serialize}};\n\n{derive}\n");
    if derive.contains("Model") {
        source.push_str(&format!("#[dynamo(table = \"table{index}\")]\n"));
    }
    source.push_str(&format!("pub struct Model{index} {{\n"));
    for (field, ty) in TYPES.iter().enumerate() {
        if field == 0 && derive.contains("Model") {
            source.push_str("    #[dynamo(hash_key)]\n");
        }
        source.push_str(&format!("    pub field{field}: {ty},\n"));
    }
    source.push_str("}\n");
    source
}

fn write_crate(dir: &Path, name: &str, derive: &str) {
    let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("dynamo-model");
    std::fs::create_dir_all(dir.join("src")).expect("a crate directory");
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n\
         dynamo-model = {{ path = {library:?} }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\n\n[workspace]\n"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("a manifest");
    let mut lib = String::from("#![allow(dead_code, unused_imports)]\n");
    for index in 0..MODELS {
        lib.push_str(&format!("pub mod model{index};\n"));
        std::fs::write(dir.join(format!("src/model{index}.rs")), model(index, derive)).expect("a model file");
    }
    std::fs::write(dir.join("src/lib.rs"), lib).expect("lib.rs");
}

fn build(dir: &Path, target: &Path) -> Duration {
    let started = Instant::now();
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the generated crate builds");
    started.elapsed()
}

fn clean_crate(dir: &Path, target: &Path, name: &str) {
    let status = Command::new(env!("CARGO"))
        .args(["clean", "--quiet", "-p", name])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .status()
        .expect("cargo runs");
    assert!(status.success());
}

fn touch(dir: &Path) {
    let file = dir.join("src/model42.rs");
    let mut source = std::fs::read_to_string(&file).expect("model 42");
    source.push_str("// touched\n");
    std::fs::write(file, source).expect("model 42 is written");
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    if std::env::args().any(|arg| arg == "--list" || arg == "--test") {
        return;
    }
    let root = std::env::temp_dir().join(format!("dynamo-model-compile-time-{}", std::process::id()));
    let target: PathBuf = root.join("target");
    let variants = [
        ("derive_model", "#[derive(Model, Debug, Clone, PartialEq)]"),
        ("derive_serde", "#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]"),
    ];
    let mut results = Vec::new();
    for (name, derive) in variants {
        let dir = root.join(name);
        write_crate(&dir, name, derive);
        build(&dir, &target); // the dependencies, once
        let clean: Vec<Duration> = (0..ROUNDS)
            .map(|_| {
                clean_crate(&dir, &target, name);
                build(&dir, &target)
            })
            .collect();
        let incremental: Vec<Duration> = (0..ROUNDS)
            .map(|_| {
                touch(&dir);
                build(&dir, &target)
            })
            .collect();
        results.push((name, median(clean), median(incremental)));
    }
    let _ = std::fs::remove_dir_all(&root);
    println!("\n{MODELS} models of 10 fields, debug builds, median of {ROUNDS}:");
    println!("| | clean (the crate) | incremental (one model touched) |");
    println!("|---|---:|---:|");
    for (name, clean, incremental) in &results {
        println!("| `{name}` | {:.2} s | {:.2} s |", clean.as_secs_f64(), incremental.as_secs_f64());
    }
    let (model, serde) = (&results[0], &results[1]);
    println!(
        "| ratio | {:.2}× | {:.2}× |",
        model.1.as_secs_f64() / serde.1.as_secs_f64(),
        model.2.as_secs_f64() / serde.2.as_secs_f64()
    );
}
