//! Batch writes against DynamoDB Local (placeholder until the benchmark lands).

fn main() {}
