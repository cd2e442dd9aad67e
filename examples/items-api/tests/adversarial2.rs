//! A second round of attempts to break the items API, on what the first round changed.
