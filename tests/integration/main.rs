//! Integration tests against a real DynamoDB Local, started once for this binary.
//!
//! One binary (one link) with a module per feature; every test takes its own namespace
//! (a unique access key) on the shared DynamoDB Local, so tests never see each other's
//! tables and can run in any order.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

mod adversarial;
mod adversarial10;
mod adversarial11;
mod adversarial12;
mod adversarial2;
mod adversarial3;
mod adversarial4;
mod adversarial5;
mod adversarial6;
mod adversarial7;
mod adversarial8;
mod adversarial9;
mod batch;
mod catalogue;
mod crud;
mod decode;
mod error_mapping;
mod faults;
mod fuzz_decode;
mod golden;
mod index;
mod launcher;
mod limits;
mod locking;
mod nested_validation;
mod observability;
mod pagination;
mod random_ops;
mod readme;
mod reserved;
mod roundtrip;
mod rules;
mod schema;
mod single_table;
mod sparse_index;
mod streams;
mod table;
mod timestamps;
mod tx;
mod update;
