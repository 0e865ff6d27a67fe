//! The evaluator: runs top-level statements on the host and traces function
//! bodies into the IR.
