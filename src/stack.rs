//! Deep recursion without stack overflow.
//!
//! The evaluator recurses once per expression level and once per function
//! call, and a chain of thousands of calls is a valid program. Its recursive
//! entry points run through [`grow`], which continues on a fresh stack
//! segment on the heap when less than [`RED_ZONE`] is left, on whatever
//! thread the caller runs (the CLI's main thread, a test's, a library
//! user's). What the evaluator nests without recursing through it (IR passes
//! over nested regions, the lowering, XLA) is bounded by limits instead
//! (`eval::call::MAX_TRACE_DEPTH`, the parser's nesting limits).

/// The stack left for the work between two calls of [`grow`]: a builtin,
/// a transformation of a whole graph, an IR pass over bounded nesting.
const RED_ZONE: usize = 1 << 20;

/// The size of each new segment.
const SEGMENT: usize = 16 << 20;

/// Runs `f`, on a new stack segment if this one is nearly used up.
pub fn grow<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}
