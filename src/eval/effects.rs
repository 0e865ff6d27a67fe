//! Running a program with `print`s inside: its prints are staged out
//! (`transform/stage.rs`), the program runs, and the records its buffers
//! hold become printed lines, in the order the prints ran.
//!
//! A site's buffers hold as many records as the loops around it can run
//! when their trip counts are static, and [`FIRST_GUESS`] when one is
//! known only at run time. A site that ran more often than its buffers
//! hold (its count says how often) makes the program run again, compiled
//! with buffers of the right size: programs are pure, so the second run
//! computes the same values. Later calls of a program of the same name
//! start with the sizes it needed. No site keeps more than [`SITE_BYTES`]: past
//! that, its first records and its last one are printed, and a note says
//! how many were not kept.

use super::tracer::Tracer;
use super::value::Arr;
use crate::ir::PrimError;
use crate::prims::print::Piece;
use crate::prims::Prim;
use crate::prims::{Reshape, Slice};
use crate::span::Span;
use crate::tensor::format::format_tensor;
use crate::tensor::Tensor;
use crate::transform::stage::{stage_prints, Site};
use crate::types::TensorType;
use std::collections::HashMap;

type R<T> = Result<T, String>;

/// Records kept at first for a print in a loop whose trip count is known
/// only at run time.
pub const FIRST_GUESS: u64 = 32;

/// The most bytes one print site's buffers take.
pub const SITE_BYTES: usize = 64 << 20;

/// Output of prints from compiled code, waiting for the evaluator to
/// write it (after the call that printed it, before anything else).
#[derive(Debug)]
pub enum Printed {
    Line(String),
    /// A print site that ran `ran` times, of which `kept` were printed.
    Dropped {
        span: Option<Span>,
        ran: usize,
        kept: usize,
    },
}

/// Bytes of one record of a site: its sequence number and its operands.
fn record_bytes(operands: &[TensorType]) -> usize {
    let values: usize = operands.iter().map(|t| t.size() * t.dtype.size()).sum();
    values.saturating_add(4)
}

/// How many records a site's buffers hold (see the module documentation).
fn capacity(operands: &[TensorType], bound: Option<u64>, grown: Option<usize>) -> usize {
    let limit = (SITE_BYTES / record_bytes(operands)).max(1);
    let want = grown
        .unwrap_or_else(|| usize::try_from(bound.unwrap_or(FIRST_GUESS)).unwrap_or(usize::MAX));
    want.clamp(1, limit)
}

/// The program that runs for `graph` (the first time): its prints staged
/// out, or `graph` itself when it has none.
pub fn staged_graph(graph: &crate::ir::Graph) -> R<crate::ir::Graph> {
    let cap = |_: usize, ops: &[TensorType], bound: Option<u64>| capacity(ops, bound, None);
    Ok(match stage_prints(graph, &cap)? {
        Some(staged) => staged.graph,
        None => graph.clone(),
    })
}

/// Runs `graph`, whose prints go to the tracer's pending output.
pub fn run_with_prints(
    tracer: &mut Tracer,
    name: &str,
    graph: &crate::ir::Graph,
    inputs: &[Arr],
) -> R<Vec<Arr>> {
    // Sizes an earlier call of the same program needed.
    let mut grown: HashMap<usize, usize> = (tracer.print_capacities)
        .get(name)
        .cloned()
        .unwrap_or_default();
    loop {
        let staged = {
            let cap = |i: usize, ops: &[TensorType], bound: Option<u64>| {
                capacity(ops, bound, grown.get(&i).copied())
            };
            stage_prints(graph, &cap)?
        };
        let Some(staged) = staged else {
            return tracer.run_plain(name, graph, inputs);
        };
        if cfg!(debug_assertions) {
            crate::ir::verify::verify(&staged.graph).map_err(|m| {
                PrimError::internal(format!("staging made an invalid graph: {}", m))
            })?;
        }
        let outs = tracer.run_plain(name, &staged.graph, inputs)?;
        let (values, state) = outs.split_at(staged.n_outputs.min(outs.len()));
        let state = (state.iter())
            .map(|a| {
                a.concrete()
                    .ok_or_else(|| "a print's values could not be read".to_string())
            })
            .collect::<R<Vec<Tensor>>>()?;
        let records = read_records(&staged.sites, &state)?;
        let bigger = larger_capacities(&staged.sites, &records);
        if !bigger.is_empty() {
            grown.extend(bigger);
            tracer
                .print_capacities
                .insert(name.to_string(), grown.clone());
            continue;
        }
        tracer
            .pending
            .extend(print_records(&staged.sites, &records)?);
        return Ok(values.to_vec());
    }
}

/// One site's records: how often it ran, the sequence number of each
/// kept record, and its operands' buffers.
struct Records {
    ran: usize,
    seqs: Vec<i64>,
    bufs: Vec<Tensor>,
}

fn read_records(sites: &[Site], state: &[Tensor]) -> R<Vec<Records>> {
    let mut rest = state;
    let mut out = vec![];
    for site in sites {
        let n = 2 + site.operands.len();
        if rest.len() < n {
            return Err("a print's state is missing from the results".into());
        }
        let (mine, more) = rest.split_at(n);
        rest = more;
        let ran = usize::try_from(mine[0].get_f64(0) as i64).unwrap_or(0);
        let kept = ran.min(site.capacity);
        let seqs = (0..kept).map(|k| mine[1].get_f64(k) as i64).collect();
        out.push(Records {
            ran,
            seqs,
            bufs: mine[2..].to_vec(),
        });
    }
    Ok(out)
}

/// New capacities for the sites that ran more often than they could keep
/// and can keep more.
fn larger_capacities(sites: &[Site], records: &[Records]) -> HashMap<usize, usize> {
    let mut out = HashMap::new();
    for (i, (site, r)) in sites.iter().zip(records).enumerate() {
        let want = capacity(&site.operands, None, Some(r.ran));
        if r.ran > site.capacity && want > site.capacity {
            out.insert(i, want);
        }
    }
    out
}

/// The printed lines, in the order the prints ran, then a note for each
/// site whose records did not all fit.
fn print_records(sites: &[Site], records: &[Records]) -> R<Vec<Printed>> {
    let mut order: Vec<(i64, usize, usize)> = vec![];
    for (i, r) in records.iter().enumerate() {
        order.extend(r.seqs.iter().enumerate().map(|(k, &s)| (s, i, k)));
    }
    order.sort_unstable();
    let mut out = vec![];
    for (_, i, k) in order {
        let operands = (records[i].bufs.iter())
            .map(|b| index(b, &[k]))
            .collect::<R<Vec<_>>>()?;
        for line in lines(&sites[i], &operands)? {
            out.push(Printed::Line(line));
        }
    }
    for (site, r) in sites.iter().zip(records) {
        if r.ran > r.seqs.len() {
            out.push(Printed::Dropped {
                span: site.span,
                ran: r.ran,
                kept: r.seqs.len(),
            });
        }
    }
    Ok(out)
}

/// The lines one record prints: one per example of its batch, the first
/// batch dim varying fastest (the order `jax.debug.print` prints a
/// `vmap` of a `vmap` in).
fn lines(site: &Site, operands: &[Tensor]) -> R<Vec<String>> {
    let dims: Vec<usize> = match operands.first() {
        Some(t) => t
            .shape()
            .get(..site.batch)
            .ok_or("a batched print lost its batch")?
            .to_vec(),
        None => vec![],
    };
    let total: usize = dims.iter().product();
    let mut out = vec![];
    for mut n in 0..total {
        let mut idx = vec![];
        for d in &dims {
            idx.push(n % d);
            n /= d;
        }
        let example = (operands.iter())
            .map(|t| index(t, &idx))
            .collect::<R<Vec<_>>>()?;
        out.push(format_line(&site.pieces, &example)?);
    }
    Ok(out)
}

fn format_line(pieces: &[Piece], operands: &[Tensor]) -> R<String> {
    let mut s = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => s.push_str(t),
            Piece::Operand(i) => s.push_str(&format_tensor(
                operands.get(*i).ok_or("a print lost an operand")?,
            )),
        }
    }
    Ok(s)
}

/// `t[idx...]`: the leading dims fixed at `idx`.
fn index(t: &Tensor, idx: &[usize]) -> R<Tensor> {
    let shape = t.shape();
    let (lead, rest) = shape.split_at(idx.len().min(shape.len()));
    let start: Vec<usize> = idx.iter().copied().chain(rest.iter().map(|_| 0)).collect();
    let limit: Vec<usize> = (idx.iter().map(|i| i + 1))
        .chain(rest.iter().copied())
        .collect();
    if idx.iter().zip(lead).any(|(i, d)| i >= d) {
        return Err("a print's record is out of range".into());
    }
    let stride = vec![1; shape.len()];
    let row = Prim::new(Slice {
        start,
        limit,
        stride,
    })
    .eval(std::slice::from_ref(t))?;
    let row = row.into_iter().next().ok_or("slice gave nothing")?;
    let one = Prim::new(Reshape {
        shape: rest.to_vec(),
    })
    .eval(&[row])?;
    one.into_iter()
        .next()
        .ok_or_else(|| "reshape gave nothing".into())
}
