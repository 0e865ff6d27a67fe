//! Running IR graphs on XLA: lowering to StableHLO, an executable cache keyed
//! by the module text (which encodes the function and its argument types),
//! and arrays that stay in device buffers between calls.

use super::pjrt::{Buffer, Client, Executable, Plugin};
use super::runtime::{apply_on_host, Array, Held, Prepared, Runtime};
use super::stablehlo::{lower_module, lower_module_donating, OwnShardings};
use crate::ir::{fresh_var, Atom, Eqn, Graph, Var};
use crate::prims::Prim;
use crate::tensor::Tensor;
use crate::types::{common_mesh, Mesh, Sharding, TensorType};
use once_cell::sync::OnceCell;
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

fn poisoned<T>(_: T) -> String {
    "executable cache poisoned".to_string()
}

mod sharded;

/// An array in device buffers, with its host copy fetched on first use:
/// one buffer on the first device, or, when it has a sharding, one piece
/// on each device of the sharding's mesh.
pub struct DeviceArray {
    ty: TensorType,
    buffers: Vec<Buffer>,
    sharding: Option<Arc<Sharding>>,
    host: OnceCell<Tensor>,
}

impl std::fmt::Debug for DeviceArray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceArray({})", self.ty)
    }
}

impl DeviceArray {
    pub fn ty(&self) -> &TensorType {
        &self.ty
    }

    /// The buffer on the first device (the whole array, unless sharded).
    pub fn buffer(&self) -> &Buffer {
        &self.buffers[0]
    }

    /// Each device's piece, when the array is laid out over a mesh.
    pub fn sharding(&self) -> Option<&Arc<Sharding>> {
        self.sharding.as_ref()
    }

    /// The array on the host (downloaded once; a sharded array is
    /// gathered from its pieces).
    pub fn to_host(&self) -> Result<Tensor, String> {
        self.host
            .get_or_try_init(|| match &self.sharding {
                Some(s) if !s.is_replicated() => sharded::gather(self, s),
                _ => read_buffer(&self.buffers[0]),
            })
            .cloned()
    }
}

/// A buffer's contents as a host tensor.
fn read_buffer(buffer: &Buffer) -> Result<Tensor, String> {
    let (dtype, shape, bytes) = buffer.to_host().map_err(|e| e.to_string())?;
    Tensor::from_le_bytes(dtype, &shape, &bytes)
        .ok_or_else(|| "device buffer has the wrong size".to_string())
}

/// An argument of an XLA call: already on the device, or on the host.
pub enum Input<'a> {
    Device(&'a DeviceArray),
    Host(&'a Tensor),
}

/// The XLA runtime: one plugin and client per process, and compiled executables.
pub struct Xla {
    client: Client,
    /// Executables by module text, and whether each came from the disk cache.
    executables: Mutex<HashMap<String, (Arc<Executable>, bool)>>,
    plugin_path: std::path::PathBuf,
    /// Modules compiled so far and the time spent compiling them.
    compiles: Mutex<(usize, std::time::Duration)>,
    /// Executables loaded from the disk cache so far.
    loads: std::sync::atomic::AtomicUsize,
    /// Runs partitioned over several devices so far.
    partitioned_runs: std::sync::atomic::AtomicUsize,
    /// Host arrays copied to a device so far (each piece of a sharded one
    /// counts).
    uploads: std::sync::atomic::AtomicUsize,
    /// Buffers of the caller's device arrays donated to a run's outputs so
    /// far (a host input's own upload, also given, is not counted).
    donations: std::sync::atomic::AtomicUsize,
    /// The on-disk executable cache, if there is a cache directory.
    disk: Option<super::cache::Cache>,
}

static RUNTIME: OnceCell<Arc<Xla>> = OnceCell::new();

impl Xla {
    /// The process-wide runtime, loading the plugin at `path` the first time
    /// (with the runtime libraries and client options of its kind, see
    /// `loader.rs`).
    pub fn get(path: &Path) -> Result<Arc<Xla>, String> {
        RUNTIME
            .get_or_try_init(|| {
                let options = super::loader::prepare(path)?;
                let plugin = Plugin::load(path).map_err(|e| e.to_string())?;
                let client = Client::with_options(&plugin, &options).map_err(|e| e.to_string())?;
                Ok(Arc::new(Xla {
                    client,
                    executables: Mutex::default(),
                    plugin_path: path.to_path_buf(),
                    compiles: Mutex::default(),
                    loads: Default::default(),
                    partitioned_runs: Default::default(),
                    uploads: Default::default(),
                    donations: Default::default(),
                    disk: super::cache::Cache::from_env(),
                }))
            })
            .cloned()
    }

    pub fn plugin_path(&self) -> &Path {
        &self.plugin_path
    }

    pub fn platform(&self) -> &str {
        self.client.platform_name()
    }

    /// The compiled executable of a module text: from memory, else from the
    /// on-disk cache, else compiled (once per process) and written to the cache.
    pub fn executable(&self, text: &str) -> Result<Arc<Executable>, String> {
        self.entry(text).map(|(exe, _)| exe)
    }

    /// The executable of `text`, and whether it was loaded from the disk
    /// cache (and has not run yet in this process).
    fn entry(&self, text: &str) -> Result<(Arc<Executable>, bool), String> {
        if let Some(e) = self.executables.lock().map_err(poisoned)?.get(text) {
            return Ok(e.clone());
        }
        let key = self.disk_key(text);
        let from_disk = (self.disk.as_ref().zip(key.as_deref()))
            .and_then(|(disk, key)| disk.load(key))
            .and_then(|b| self.deserialize(&b, text).ok());
        let entry = match from_disk {
            Some(exe) => {
                self.loads
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                (Arc::new(exe), true)
            }
            None => (Arc::new(self.compile(text, key.as_deref())?), false),
        };
        self.executables
            .lock()
            .map_err(poisoned)?
            .insert(text.to_string(), entry.clone());
        Ok(entry)
    }

    /// Runs the executable of `text`. An executable loaded from the disk cache
    /// that fails to run (a stale or incompatible cache entry) is removed
    /// from the cache and compiled again.
    pub fn execute(&self, text: &str, args: &[&Buffer]) -> Result<Vec<Buffer>, String> {
        self.execute_keeping(text, args, &[])
    }

    /// [`Xla::execute`], not donating the arguments at `kept` (see
    /// [`Executable::execute_keeping`]).
    fn execute_keeping(
        &self,
        text: &str,
        args: &[&Buffer],
        kept: &[usize],
    ) -> Result<Vec<Buffer>, String> {
        let (exe, from_disk) = self.entry(text)?;
        match exe.execute_keeping(args, kept) {
            Ok(outs) => Ok(outs),
            Err(_) if from_disk => {
                // The entry loads but does not run here: drop it, and keep
                // the new executable in memory only (it would do the same).
                if let (Some(disk), Some(key)) = (&self.disk, self.disk_key(text)) {
                    disk.remove(&key);
                }
                let exe = Arc::new(self.compile(text, None)?);
                self.executables
                    .lock()
                    .map_err(poisoned)?
                    .insert(text.to_string(), (exe.clone(), false));
                exe.execute_keeping(args, kept).map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// Compiles `text` now, whatever the caches hold: the executable to
    /// serialize into an artifact. (One the disk cache loaded serializes
    /// without the kernels of some programs: a partitioned product's, for
    /// one, is then missing where the artifact is run.)
    pub fn compile_fresh(&self, text: &str) -> Result<Executable, String> {
        self.compile(text, None)
    }

    /// Compiles `text` and stores the executable in the disk cache under
    /// `key` when it loads back.
    fn compile(&self, text: &str, key: Option<&str>) -> Result<Executable, String> {
        let start = std::time::Instant::now();
        let exe = self.client.compile(text).map_err(|e| e.to_string())?;
        let took = start.elapsed();
        if let Ok(mut c) = self.compiles.lock() {
            c.0 += 1;
            c.1 += took;
        }
        dump_module(text, took);
        if let (Some(disk), Some(key)) = (&self.disk, key) {
            // Only an executable that loads back is kept: one whose kernels
            // a new process could not find would be compiled again by every
            // process that read it.
            let bytes = exe.serialize().ok();
            if let Some(bytes) = bytes.filter(|b| self.deserialize(b, text).is_ok()) {
                disk.store(key, &bytes);
            }
        }
        Ok(exe)
    }

    /// The key of `text`'s executable in the disk cache (`cache.rs`): a
    /// digest of the module text, the plugin file, the platform and what
    /// else the compiler reads (nest's compile options and `XLA_FLAGS`).
    /// `NEST_NO_DISK_CACHE=1` turns the disk cache off.
    fn disk_key(&self, text: &str) -> Option<String> {
        if std::env::var_os("NEST_NO_DISK_CACHE").is_some_and(|v| v == "1") {
            return None;
        }
        let plugin = std::fs::metadata(&self.plugin_path).ok()?;
        let stamp = format!(
            "{}:{:?}:{}",
            self.plugin_path.display(),
            plugin.modified().ok(),
            plugin.len()
        );
        let flags = std::env::var("XLA_FLAGS").unwrap_or_default();
        let parts = [
            stamp.as_bytes(),
            self.platform().as_bytes(),
            self.client.compile_options(),
            flags.as_bytes(),
            text.as_bytes(),
        ];
        // Length-prefixed, so that no two inputs hash alike by moving a boundary.
        let mut key = vec![];
        for part in parts {
            key.extend((part.len() as u64).to_le_bytes());
            key.extend(part);
        }
        Some(super::cache::sha256_hex(&key))
    }

    /// How many modules were compiled, and the total time spent compiling.
    pub fn compile_stats(&self) -> (usize, std::time::Duration) {
        self.compiles.lock().map(|c| *c).unwrap_or_default()
    }

    /// The plugin's addressable devices.
    pub fn devices(&self) -> usize {
        self.client.num_devices()
    }

    /// How many runs were partitioned over several devices so far.
    pub fn partitioned_runs(&self) -> usize {
        (self.partitioned_runs).load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The process's runtime, if XLA was opened.
    pub fn current() -> Option<Arc<Xla>> {
        RUNTIME.get().cloned()
    }

    /// One line for `NEST_COMPILE_STATS=1`: the modules compiled, the time
    /// spent compiling, and the executables loaded from the disk cache.
    pub fn stats_line(&self) -> String {
        let (n, t) = self.compile_stats();
        let loads = self.loads.load(std::sync::atomic::Ordering::Relaxed);
        format!(
            "nest: compiled {n} module{} in {:.3} s, loaded {loads} from the disk cache, donated {} buffer{}",
            if n == 1 { "" } else { "s" },
            t.as_secs_f64(),
            self.donations(),
            if self.donations() == 1 { "" } else { "s" },
        )
    }

    /// An executable serialized by [`Executable::serialize`] on this
    /// platform from the module `text` (whose signature its calls are
    /// checked against).
    pub fn deserialize(&self, bytes: &[u8], text: &str) -> Result<Executable, String> {
        self.client
            .deserialize_executable(bytes, text)
            .map_err(|e| e.to_string())
    }

    /// How many host arrays were copied to a device so far.
    pub fn uploads(&self) -> usize {
        self.uploads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many of the caller's device buffers runs took for their outputs
    /// so far.
    pub fn donations(&self) -> usize {
        self.donations.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Copies a host tensor to the device.
    pub fn upload(&self, t: &Tensor) -> Result<DeviceArray, String> {
        self.uploads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let buffer = self
            .client
            .buffer_from_host(t.dtype(), t.shape(), &t.to_le_bytes())
            .map_err(|e| e.to_string())?;
        Ok(DeviceArray {
            ty: t.ty(),
            buffers: vec![buffer],
            sharding: None,
            host: OnceCell::with_value(t.clone()),
        })
    }

    /// Lowers, compiles (once) and runs `graph` on `inputs`.
    pub fn run(
        &self,
        name: &str,
        graph: &Graph,
        inputs: &[Input],
    ) -> Result<Vec<DeviceArray>, String> {
        let mesh = common_mesh(
            super::stablehlo::graph_mesh(graph)?,
            sharded::inputs_mesh(inputs)?,
        )?;
        if let Some(mesh) = mesh {
            return self.run_partitioned(name, graph, inputs, &mesh);
        }
        let lowered = lower_module(name, graph)?;
        let mut uploaded = vec![];
        for i in inputs {
            if let Input::Host(t) = i {
                uploaded.push(self.upload(t)?);
            }
        }
        for t in &lowered.hoisted {
            uploaded.push(self.upload(t)?);
        }
        let mut up = uploaded.iter();
        let mut args: Vec<&Buffer> = vec![];
        for i in inputs {
            args.push(match i {
                Input::Device(d) => d.buffer(),
                Input::Host(_) => up.next().ok_or("lost an uploaded argument")?.buffer(),
            });
        }
        args.extend(up.map(DeviceArray::buffer));
        let outs = self.execute(&lowered.text, &args)?;
        Ok(outs.into_iter().map(device_array).collect())
    }
}

/// With `NEST_DUMP_MODULES=DIR`, each compiled module's text goes to
/// `DIR/N.mlir` and a line `N.mlir SECONDS` to `DIR/compiles.txt`, so that
/// compile times can be compared with other compilers of the same text
/// (`benches/compile_time.py`). A dump that fails is skipped.
fn dump_module(text: &str, took: std::time::Duration) {
    use std::io::Write;
    let Some(dir) = std::env::var_os("NEST_DUMP_MODULES").filter(|d| !d.is_empty()) else {
        return;
    };
    let dir = Path::new(&dir);
    let _ = std::fs::create_dir_all(dir);
    let name = format!(
        "{}-{}.mlir",
        std::process::id(),
        super::cache::sha256_hex(text.as_bytes())
    );
    if std::fs::write(dir.join(&name), text).is_err() {
        return;
    }
    let log = std::fs::File::options()
        .create(true)
        .append(true)
        .open(dir.join("compiles.txt"));
    if let Ok(mut log) = log {
        let _ = writeln!(log, "{name} {:.4}", took.as_secs_f64());
    }
}

/// A program lowered and loaded once: its executable, found without its
/// module text, and its hoisted constants, uploaded once. A graph whose own
/// sharding constraints name a mesh of several devices, or a call whose
/// inputs lie on one, runs partitioned over it: lowered and loaded once per
/// layout of the inputs.
pub struct Program {
    name: String,
    graph: Graph,
    mesh: Option<Arc<Mesh>>,
    /// The one-device executable, when the graph names no mesh.
    single: Option<Single>,
    /// The shardings the graph gives its inputs and outputs, found on the
    /// first partitioned run.
    own: OnceCell<OwnShardings>,
    /// The partitioned executables by the layout of the inputs.
    partitioned: std::cell::RefCell<HashMap<Vec<Arc<Sharding>>, Rc<sharded::Partitioned>>>,
}

struct Single {
    /// The module without aliases (its hoisted constants' order is that of
    /// every module of the program).
    text: String,
    hoisted: Vec<DeviceArray>,
    /// The program as the first run compiled it (see [`aliases`]).
    compiled: OnceCell<Compiled>,
}

/// A program's module as compiled, with the (input, output) pairs whose
/// input buffer a run may write the output into when the caller gives the
/// input up.
struct Compiled {
    aliases: Vec<(usize, usize)>,
    text: String,
    exe: std::cell::RefCell<Arc<Executable>>,
}

impl Prepared for Program {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Xla {
    /// Lowers `graph`, loads its executable and uploads its hoisted constants.
    pub fn prepare_program(&self, name: &str, graph: &Graph) -> Result<Program, String> {
        let mesh = super::stablehlo::graph_mesh(graph)?;
        let single = match mesh {
            Some(_) => None,
            None => {
                let lowered = lower_module(name, graph)?;
                let hoisted = (lowered.hoisted.iter())
                    .map(|t| self.upload(t))
                    .collect::<Result<Vec<_>, String>>()?;
                Some(Single {
                    text: lowered.text,
                    hoisted,
                    compiled: OnceCell::new(),
                })
            }
        };
        Ok(Program {
            name: name.to_string(),
            graph: graph.clone(),
            mesh,
            single,
            own: OnceCell::new(),
            partitioned: Default::default(),
        })
    }

    /// Runs a prepared program. If its executable fails to run, the call
    /// goes through [`Xla::execute`] (which compiles again an executable
    /// from the disk cache that cannot run), and the program keeps the
    /// executable that ran. Inputs laid out over a mesh make the run a
    /// partitioned one. `given[i]`: the caller gives up input `i` (it holds
    /// it nowhere else, or it is on the host, where the run uploads its own
    /// copy), whose buffer may then hold an output of its type (see
    /// [`aliases`]).
    pub fn run_program(
        &self,
        p: &Program,
        inputs: &[Input],
        given: &[bool],
    ) -> Result<Vec<DeviceArray>, String> {
        let mesh = common_mesh(p.mesh.clone(), sharded::inputs_mesh(inputs)?)?;
        let (Some(single), None) = (&p.single, &mesh) else {
            let mesh = mesh.ok_or_else(|| {
                crate::ir::PrimError::internal("a program without an executable").to_string()
            })?;
            return self.run_program_partitioned(p, inputs, &mesh);
        };
        let mut uploaded = vec![];
        for i in inputs {
            if let Input::Host(t) = i {
                uploaded.push(self.upload(t)?);
            }
        }
        let mut up = uploaded.iter();
        let mut args: Vec<&Buffer> = Vec::with_capacity(inputs.len() + single.hoisted.len());
        for i in inputs {
            args.push(match i {
                Input::Device(d) => d.buffer(),
                Input::Host(_) => up.next().ok_or("lost an uploaded argument")?.buffer(),
            });
        }
        args.extend(single.hoisted.iter().map(DeviceArray::buffer));
        let compiled = single
            .compiled
            .get_or_try_init(|| self.compile_program(p, single, given))?;
        // An aliased input this call keeps is copied by the plugin.
        let (donated, kept): (Vec<usize>, Vec<usize>) = (compiled.aliases.iter())
            .map(|&(i, _)| i)
            .partition(|&i| given.get(i).copied().unwrap_or(false));
        let exe = compiled.exe.borrow().clone();
        let outs = match exe.execute_keeping(&args, &kept) {
            Ok(outs) => outs,
            Err(_) => {
                let outs = self.execute_keeping(&compiled.text, &args, &kept)?;
                *compiled.exe.borrow_mut() = self.executable(&compiled.text)?;
                outs
            }
        };
        let from_caller = (donated.iter())
            .filter(|&&i| matches!(inputs[i], Input::Device(_)))
            .count();
        self.donations
            .fetch_add(from_caller, std::sync::atomic::Ordering::Relaxed);
        Ok(outs.into_iter().map(device_array).collect())
    }

    /// Compiles a one-device program on its first run, aliasing the inputs
    /// that run gives up (`given`) to outputs. Later runs use the same
    /// executable whatever they give: one compile per program (a second
    /// executable of the same program cost its runs speed, measured).
    fn compile_program(
        &self,
        p: &Program,
        single: &Single,
        given: &[bool],
    ) -> Result<Compiled, String> {
        let aliases = aliases(&p.graph, given);
        let text = match aliases.is_empty() {
            true => single.text.clone(),
            false => lower_module_donating(&p.name, &p.graph, &aliases)?.text,
        };
        let exe = self.executable(&text)?;
        Ok(Compiled {
            aliases,
            text,
            exe: std::cell::RefCell::new(exe),
        })
    }
}

/// Which inputs may hold which outputs: each input the first run gives up
/// (a host input's upload, a device array held nowhere else), in order,
/// takes the first output of its type not taken yet, as `jax.jit` pairs
/// donated arguments with results. A later run that keeps an aliased input
/// has the plugin copy it; one that gives up an input not aliased donates
/// nothing for it.
fn aliases(graph: &Graph, given: &[bool]) -> Vec<(usize, usize)> {
    let outputs = graph.output_types();
    let mut taken = vec![false; outputs.len()];
    let mut pairs = vec![];
    for (i, input) in graph.inputs.iter().enumerate() {
        if !given.get(i).copied().unwrap_or(false) {
            continue;
        }
        let free = (0..outputs.len()).find(|&k| !taken[k] && outputs[k] == input.ty);
        if let Some(k) = free {
            taken[k] = true;
            pairs.push((i, k));
        }
    }
    pairs
}

impl Xla {
    /// Runs a prepared program over `mesh`: lowered and compiled once per
    /// layout of its inputs.
    fn run_program_partitioned(
        &self,
        p: &Program,
        inputs: &[Input],
        mesh: &Arc<Mesh>,
    ) -> Result<Vec<DeviceArray>, String> {
        let own = p.own.get_or_init(|| OwnShardings::of(&p.graph));
        let layout = own.layout(mesh, &sharded::given(inputs));
        let cached = p.partitioned.borrow().get(&layout.inputs).cloned();
        let program = match cached {
            Some(program) => program,
            None => {
                let key = layout.inputs.clone();
                let program = Rc::new(self.partitioned(&p.name, &p.graph, layout)?);
                p.partitioned.borrow_mut().insert(key, program.clone());
                program
            }
        };
        self.run_laid_out(&program, &p.graph, inputs)
    }
}

/// The array a device buffer holds, its host copy not fetched yet.
fn device_array(buffer: Buffer) -> DeviceArray {
    DeviceArray {
        ty: TensorType::new(buffer.dtype(), buffer.shape().to_vec()),
        buffers: vec![buffer],
        sharding: None,
        host: OnceCell::new(),
    }
}

/// The inputs of an XLA call: device arrays as they are, host ones to upload.
fn xla_inputs(inputs: &[Array]) -> Result<Vec<Input<'_>>, String> {
    inputs
        .iter()
        .map(|a| match a {
            Array::Host(t) => Ok(Input::Host(t)),
            Array::Held(h) => (h.as_any().downcast_ref::<DeviceArray>())
                .map(Input::Device)
                .ok_or_else(|| "an array of another runtime reached XLA".to_string()),
        })
        .collect()
}

impl Held for DeviceArray {
    fn ty(&self) -> &TensorType {
        &self.ty
    }

    fn to_host(&self) -> Result<Tensor, String> {
        DeviceArray::to_host(self)
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// Primitives on host values with up to this many elements (inputs and
/// outputs together) run in the interpreter even on XLA: a kernel call is
/// cheaper than compiling a one-op program and a device round trip. So do
/// small values already on the device: copying a few kilobytes to the host
/// takes microseconds, where a one-op program costs a compile for every new
/// shape (a history grown by `concat` in a host loop would compile once per
/// step). Larger ones run as one-op compiled programs on the device.
const SMALL: usize = 1 << 16;

impl Runtime for Xla {
    fn name(&self) -> &'static str {
        "xla"
    }

    /// Arrays already on the device are passed as they are, host arrays
    /// are uploaded; the results stay on the device.
    fn run_graph(&self, name: &str, graph: &Graph, inputs: &[Array]) -> Result<Vec<Array>, String> {
        Ok(self
            .run(name, graph, &xla_inputs(inputs)?)?
            .into_iter()
            .map(|d| Array::Held(Rc::new(d)))
            .collect())
    }

    fn check_mesh(&self, mesh: &Mesh) -> Result<(), String> {
        self.check_mesh_fits(mesh)
    }

    /// A mesh of one device changes nothing; an array already laid out so
    /// stays as it is.
    fn place(&self, array: Array, sharding: &Arc<Sharding>) -> Result<Array, String> {
        if sharding.mesh.size() == 1 {
            return Ok(array);
        }
        let host = match &array {
            Array::Host(t) => t.clone(),
            Array::Held(h) => {
                let device = h.as_any().downcast_ref::<DeviceArray>();
                if device.is_some_and(|d| d.sharding.as_ref() == Some(sharding)) {
                    return Ok(array);
                }
                h.to_host()?
            }
        };
        Ok(Array::Held(Rc::new(self.place_tensor(&host, sharding)?)))
    }

    fn prepare(&self, name: &str, graph: &Graph) -> Result<Rc<dyn Prepared>, String> {
        Ok(Rc::new(self.prepare_program(name, graph)?))
    }

    /// An input the caller held only in `inputs` (no binding, capture or
    /// other value shares it) is given up: its buffer may hold an output.
    /// So is a host input, uploaded for this run alone.
    fn run_prepared(
        &self,
        program: &dyn Prepared,
        inputs: Vec<Array>,
    ) -> Result<Vec<Array>, String> {
        let program = (program.as_any().downcast_ref::<Program>())
            .ok_or_else(|| "a program prepared by another runtime".to_string())?;
        let given: Vec<bool> = (inputs.iter())
            .map(|a| match a {
                Array::Held(h) => Rc::strong_count(h) == 1,
                Array::Host(_) => true,
            })
            .collect();
        Ok(self
            .run_program(program, &xla_inputs(&inputs)?, &given)?
            .into_iter()
            .map(|d| Array::Held(Rc::new(d)))
            .collect())
    }

    /// On the host when small (see [`SMALL`]), else as a one-equation program.
    fn apply(
        &self,
        prim: Prim,
        inputs: &[Array],
        out_types: Vec<TensorType>,
    ) -> Result<Vec<Array>, String> {
        let types: Vec<TensorType> = inputs.iter().map(Array::ty).collect();
        let elements: usize = types.iter().chain(&out_types).map(TensorType::size).sum();
        if elements <= SMALL {
            return apply_on_host(&prim, inputs);
        }
        let ins: Vec<Var> = types.into_iter().map(fresh_var).collect();
        let outs: Vec<Var> = out_types.into_iter().map(fresh_var).collect();
        let name = prim.name();
        let graph = Graph {
            inputs: ins.clone(),
            eqns: vec![Eqn {
                prim,
                inputs: ins.into_iter().map(Atom::Var).collect(),
                outputs: outs.clone(),
            }],
            outputs: outs.into_iter().map(Atom::Var).collect(),
        };
        self.run_graph(name, &graph, inputs)
    }
}
