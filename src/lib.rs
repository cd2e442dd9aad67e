//! Examples and integration tests of dynamo-model.
