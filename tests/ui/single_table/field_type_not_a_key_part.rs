use dynamo_model::{Model, Table};

#[derive(Table)]
#[dynamo(name = "app")]
struct App;

// A float has no text that sorts as its value: it cannot go in a key.
#[derive(Model)]
#[dynamo(table = App, hash = "SENSOR#{sensor_id}", range = "READING#{value}")]
struct Reading {
    sensor_id: String,
    value: f64,
}

fn main() {}
