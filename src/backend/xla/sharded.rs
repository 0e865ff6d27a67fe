//! Arrays laid out over a mesh of devices, and programs partitioned over
//! it by XLA's SPMD partitioner.
//!
//! A call runs partitioned when one of its inputs lies on a mesh of more
//! than one device, or its graph constrains a value to one (`shard` inside
//! a `fn`). The module then says each argument's and result's sharding
//! (`stablehlo::OwnShardings::layout`). Each
//! device gets its piece of every argument, and the results stay on the
//! devices, in pieces, until the host reads them (then gathered).

use super::{read_buffer, DeviceArray, Input, Xla};
use crate::backend::pjrt::{Buffer, Executable};
use crate::backend::stablehlo::{lower_module_sharded, Layout, OwnShardings};
use crate::ir::Graph;
use crate::ir::PrimError;
use crate::tensor::Tensor;
use crate::types::{common_mesh, Mesh, Sharding, TensorType};
use once_cell::sync::OnceCell;
use std::ops::Range;
use std::sync::Arc;

/// The mesh the inputs lie on, when one lies on more than one device.
pub(super) fn inputs_mesh(inputs: &[Input]) -> Result<Option<Arc<Mesh>>, String> {
    let meshes = inputs.iter().filter_map(|i| match i {
        Input::Device(d) => d.sharding.as_ref().map(|s| s.mesh.clone()),
        Input::Host(_) => None,
    });
    meshes.map(Some).try_fold(None, common_mesh)
}

impl Xla {
    /// A mesh fits when the plugin has at least as many devices.
    pub(super) fn check_mesh_fits(&self, mesh: &Mesh) -> Result<(), String> {
        let have = self.client.num_devices();
        if mesh.size() <= have {
            return Ok(());
        }
        let hint = if self.platform() == "cpu" {
            format!(
                "; `nest run --devices {n}` (or NEST_DEVICES={n}) makes the CPU plugin create {n}",
                n = mesh.size()
            )
        } else {
            String::new()
        };
        Err(format!(
            "the {mesh} needs {} devices, but the {} plugin has {have}{hint}",
            mesh.size(),
            self.platform()
        ))
    }

    /// Copies a host tensor onto the devices of `sharding`'s mesh, each
    /// device its piece.
    pub(super) fn place_tensor(
        &self,
        t: &Tensor,
        sharding: &Arc<Sharding>,
    ) -> Result<DeviceArray, String> {
        self.check_mesh_fits(&sharding.mesh)?;
        sharding.check(t.shape())?;
        let bytes = t.to_le_bytes();
        let size = t.dtype().size();
        let local = sharding.local_shape(t.shape());
        let buffers = (0..sharding.mesh.size())
            .map(|d| {
                (self.uploads).fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let piece = cut(&bytes, size, t.shape(), &sharding.piece(d, t.shape()));
                (self
                    .client
                    .buffer_from_host_on(d, t.dtype(), &local, &piece))
                .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(DeviceArray {
            ty: t.ty(),
            buffers,
            sharding: Some(sharding.clone()),
            host: OnceCell::with_value(t.clone()),
        })
    }

    /// Lowers `graph` for the layout of its inputs, compiles it (once per
    /// layout: the executable cache is keyed by the module's text) as one
    /// program over `mesh`'s devices and runs it.
    pub(super) fn run_partitioned(
        &self,
        name: &str,
        graph: &Graph,
        inputs: &[Input],
        mesh: &Arc<Mesh>,
    ) -> Result<Vec<DeviceArray>, String> {
        let layout = OwnShardings::of(graph).layout(mesh, &given(inputs));
        let program = self.partitioned(name, graph, layout)?;
        self.run_laid_out(&program, graph, inputs)
    }

    /// `graph` lowered and loaded for `layout`, its constants placed.
    pub(super) fn partitioned(
        &self,
        name: &str,
        graph: &Graph,
        layout: Layout,
    ) -> Result<Partitioned, String> {
        let lowered = lower_module_sharded(name, graph, &layout)?;
        let replicated = Arc::new(Sharding::replicated(layout.mesh.clone()));
        let hoisted = (lowered.hoisted.iter())
            .map(|t| self.place_tensor(t, &replicated))
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Partitioned {
            exe: self.executable(&lowered.text)?,
            layout,
            hoisted,
        })
    }

    /// Runs a partitioned program of `graph` on `inputs`, placing those not
    /// laid out as it takes them.
    pub(super) fn run_laid_out(
        &self,
        program: &Partitioned,
        graph: &Graph,
        inputs: &[Input],
    ) -> Result<Vec<DeviceArray>, String> {
        let layout = &program.layout;
        let mut placed: Vec<Option<DeviceArray>> = vec![];
        for (input, sharding) in inputs.iter().zip(&layout.inputs) {
            placed.push(match input {
                Input::Device(d) if d.sharding.as_ref() == Some(sharding) => None,
                Input::Device(d) => Some(self.place_tensor(&d.to_host()?, sharding)?),
                Input::Host(t) => Some(self.place_tensor(t, sharding)?),
            });
        }
        let arrays: Vec<&DeviceArray> = (inputs.iter().zip(&placed))
            .map(|(input, placed)| match (input, placed) {
                (_, Some(p)) => Ok(p),
                (Input::Device(d), None) => Ok(*d),
                (Input::Host(_), None) => Err("lost a placed argument".to_string()),
            })
            .chain(program.hoisted.iter().map(Ok))
            .collect::<Result<_, String>>()?;
        let per_device = execute(&program.exe, &arrays, &layout.mesh)?;
        (self.partitioned_runs).fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        gathered(graph.output_types(), layout, per_device)
    }
}

/// A graph compiled for one layout of its inputs over a mesh: its
/// executable and its constants, placed (replicated) once.
pub(super) struct Partitioned {
    exe: Arc<Executable>,
    layout: Layout,
    hoisted: Vec<DeviceArray>,
}

impl Xla {
    /// Runs a partitioned executable (an artifact's) on host inputs laid
    /// out as `layout` says, `constants` after them replicated; returns
    /// the results, of `types`, gathered on the host.
    pub fn run_partitioned_on_host(
        &self,
        exe: &Executable,
        layout: &Layout,
        inputs: &[Tensor],
        constants: &[Tensor],
        types: Vec<TensorType>,
    ) -> Result<Vec<Tensor>, String> {
        let replicated = Arc::new(Sharding::replicated(layout.mesh.clone()));
        let arrays = (inputs.iter().zip(&layout.inputs))
            .chain(constants.iter().map(|c| (c, &replicated)))
            .map(|(t, s)| self.place_tensor(t, s))
            .collect::<Result<Vec<_>, String>>()?;
        let per_device = execute(exe, &arrays.iter().collect::<Vec<_>>(), &layout.mesh)?;
        (gathered(types, layout, per_device)?.iter())
            .map(DeviceArray::to_host)
            .collect()
    }
}

/// The shardings the inputs already have: a device array's own, `None`
/// for a host value or a one-device array.
pub(super) fn given(inputs: &[Input]) -> Vec<Option<Arc<Sharding>>> {
    (inputs.iter())
        .map(|input| match input {
            Input::Device(d) => d.sharding.clone(),
            Input::Host(_) => None,
        })
        .collect()
}

/// Runs `exe` over the devices of `mesh`, device `d` taking the `d`-th
/// piece of each array; each device's pieces of the results.
fn execute(
    exe: &Executable,
    arrays: &[&DeviceArray],
    mesh: &Mesh,
) -> Result<Vec<Vec<Buffer>>, String> {
    let args: Vec<Vec<&Buffer>> = (0..mesh.size())
        .map(|d| arrays.iter().map(|a| &a.buffers[d]).collect())
        .collect();
    exe.execute_partitioned(&args).map_err(|e| e.to_string())
}

/// The results of a partitioned run, of `types`: output `k` is device
/// `d`'s `per_device[d][k]`, one array laid out as the layout says.
fn gathered(
    types: Vec<TensorType>,
    layout: &Layout,
    per_device: Vec<Vec<Buffer>>,
) -> Result<Vec<DeviceArray>, String> {
    let n = layout.outputs.len();
    if types.len() != n || per_device.iter().any(|d| d.len() != n) {
        return Err(PrimError::internal(format!(
            "a partitioned program returned other than its {n} results"
        ))
        .to_string());
    }
    let mut pieces: Vec<Vec<Buffer>> = (0..n).map(|_| vec![]).collect();
    for device in per_device {
        for (k, buffer) in device.into_iter().enumerate() {
            pieces[k].push(buffer);
        }
    }
    Ok((pieces.into_iter().zip(types).zip(&layout.outputs))
        .map(|((buffers, ty), sharding)| DeviceArray {
            ty,
            buffers,
            sharding: Some(sharding.clone()),
            host: OnceCell::new(),
        })
        .collect())
}

/// The whole array from the devices holding distinct pieces.
pub(super) fn gather(a: &DeviceArray, sharding: &Sharding) -> Result<Tensor, String> {
    let TensorType { dtype, shape } = &a.ty;
    let size = dtype.size();
    let mut out = vec![0u8; shape.iter().product::<usize>() * size];
    for d in sharding.distinct_devices() {
        let buffer = a.buffers.get(d).ok_or("a sharded array lost a piece")?;
        let piece = read_buffer(buffer)?.to_le_bytes();
        paste(&mut out, size, shape, &sharding.piece(d, shape), &piece);
    }
    Tensor::from_le_bytes(*dtype, shape, &out)
        .ok_or_else(|| "a gathered array has the wrong size".to_string())
}

/// Calls `f(whole, piece, len)` for each row of the block `ranges` of a
/// row-major array of `shape`: the element offsets of the row in the
/// whole array and in the block (row-major itself), and its length.
fn rows(shape: &[usize], ranges: &[Range<usize>], mut f: impl FnMut(usize, usize, usize)) {
    let Some((last, outer)) = ranges.split_last() else {
        return f(0, 0, 1);
    };
    let len = last.len();
    let count: usize = outer.iter().map(Range::len).product();
    let mut idx: Vec<usize> = outer.iter().map(|r| r.start).collect();
    for row in 0..count {
        let whole = (idx.iter().zip(shape)).fold(0, |acc, (&i, &n)| acc * n + i)
            * shape[shape.len() - 1]
            + last.start;
        f(whole, row * len, len);
        // The next index, row-major within the block.
        for (k, r) in outer.iter().enumerate().rev() {
            idx[k] += 1;
            if idx[k] < r.end {
                break;
            }
            idx[k] = r.start;
        }
    }
}

/// The block `ranges` of a row-major array of `shape` (elements of `size`
/// bytes), row-major.
fn cut(bytes: &[u8], size: usize, shape: &[usize], ranges: &[Range<usize>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ranges.iter().map(Range::len).product::<usize>() * size);
    rows(shape, ranges, |whole, _, len| {
        out.extend_from_slice(&bytes[whole * size..(whole + len) * size]);
    });
    out
}

/// Writes `piece`, the block `ranges`, into a row-major array of `shape`.
fn paste(out: &mut [u8], size: usize, shape: &[usize], ranges: &[Range<usize>], piece: &[u8]) {
    rows(shape, ranges, |whole, at, len| {
        out[whole * size..(whole + len) * size]
            .copy_from_slice(&piece[at * size..(at + len) * size]);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_and_paste_are_inverse() {
        // A 3×4 array of bytes 0..12, its block rows 1..3, columns 1..3.
        let whole: Vec<u8> = (0..12).collect();
        let block = cut(&whole, 1, &[3, 4], &[1..3, 1..3]);
        assert_eq!(block, [5, 6, 9, 10]);
        let mut back = vec![0u8; 12];
        paste(&mut back, 1, &[3, 4], &[1..3, 1..3], &block);
        assert_eq!(back, [0, 0, 0, 0, 0, 5, 6, 0, 0, 9, 10, 0]);
        // Two-byte elements, a rank-3 block, and a scalar.
        let whole: Vec<u8> = (0..48).collect();
        let block = cut(&whole, 2, &[2, 3, 4], &[1..2, 0..3, 2..4]);
        assert_eq!(block, [28, 29, 30, 31, 36, 37, 38, 39, 44, 45, 46, 47]);
        assert_eq!(cut(&[7, 8], 2, &[], &[]), [7, 8]);
    }
}
