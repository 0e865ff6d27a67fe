//! Reusable compiled artifacts: a function's StableHLO module, a manifest
//! describing its inputs and outputs, the constants it was traced with, and
//! optionally the serialized PJRT executable.
//!
//! `DIR/NAME.json` (the manifest) names every other file, each a plain file
//! name in `DIR`, with its SHA-256. Loading checks every hash, and that the
//! manifest's inputs and constants are the parameters of the module's
//! `@main`; a call checks its arguments against them (on the compiled and
//! the deserialized executable alike) before anything reaches the plugin,
//! and its results against the manifest's outputs.

use crate::backend::cache::sha256_hex;
use crate::backend::pjrt::Executable;
use crate::backend::stablehlo::Layout;
use crate::backend::xla::Xla;
use crate::eval::tree::TreeDef;
use crate::tensor::{npy, Tensor};
use crate::types::{DType, Mesh, Sharding, TensorType};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One input or output array of an artifact.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ArraySpec {
    /// Its path in the argument or result tree: `x`, `p.w`, `out.1`.
    pub name: String,
    pub dtype: String,
    pub shape: Vec<usize>,
    /// For a program over a mesh: how the array is laid out on it (an axis
    /// name or `null` per leading dimension, as `shard`'s spec).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharding: Option<Vec<Option<String>>>,
}

impl ArraySpec {
    /// Its type (a dtype the manifest's checks let through; `f32` else).
    fn ty(&self) -> TensorType {
        TensorType::new(
            parse_dtype(&self.dtype).unwrap_or(DType::F32),
            self.shape.clone(),
        )
    }
}

/// The mesh a partitioned program runs over.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MeshSpec {
    pub shape: Vec<usize>,
    pub axes: Vec<String>,
}

/// A constant passed after the inputs, stored as `.npy`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ConstSpec {
    pub file: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    pub dtype: String,
    pub shape: Vec<usize>,
}

/// The manifest `NAME.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub name: String,
    pub nest_version: String,
    pub module: String,
    /// SHA-256 of the module text, hex.
    pub module_sha256: String,
    pub inputs: Vec<ArraySpec>,
    pub outputs: Vec<ArraySpec>,
    pub constants: Vec<ConstSpec>,
    /// The structure of the arguments and of the result.
    pub input_tree: serde_json::Value,
    pub output_tree: serde_json::Value,
    /// The serialized PJRT executable, its SHA-256, and the platform it
    /// was compiled for.
    pub executable: Option<String>,
    pub executable_sha256: Option<String>,
    pub platform: Option<String>,
    /// The mesh of a program partitioned over several devices (`nest exec`
    /// runs it on as many); absent for a one-device program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesh: Option<MeshSpec>,
}

/// Why an artifact cannot be written, loaded or called.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("cannot read `{0}`: {1}")]
    Read(PathBuf, String),
    #[error("cannot write `{0}`: {1}")]
    Write(PathBuf, String),
    #[error("`{0}` is not a valid manifest: {1}")]
    Manifest(PathBuf, String),
    #[error("`{0}` does not match its manifest: {1}")]
    Mismatch(PathBuf, String),
    #[error("{0}")]
    Call(String),
}

type Result<T> = std::result::Result<T, ArtifactError>;

/// What [`write`] needs: the lowered module and the function's interface.
pub struct Parts<'a> {
    pub name: &'a str,
    pub text: &'a str,
    pub hoisted: &'a [Tensor],
    pub inputs: Vec<ArraySpec>,
    pub outputs: Vec<ArraySpec>,
    pub input_tree: serde_json::Value,
    pub output_tree: serde_json::Value,
    /// The layout of a program over a mesh (see `stablehlo::graph_layout`).
    pub layout: Option<&'a Layout>,
}

/// Writes an artifact into `dir`; with `xla`, also the serialized executable.
/// Every file is written to a temporary name and renamed, manifest last.
pub fn write(dir: &Path, parts: &Parts, xla: Option<&Xla>) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)
        .map_err(|e| ArtifactError::Write(dir.to_path_buf(), e.to_string()))?;
    let module = format!("{}.mlir", parts.name);
    write_atomically(&dir.join(&module), parts.text.as_bytes())?;
    let mut constants = vec![];
    for (i, t) in parts.hoisted.iter().enumerate() {
        let file = format!("{}.const{}.npy", parts.name, i);
        let bytes = npy::write_npy(t).map_err(|m| ArtifactError::Write(dir.join(&file), m))?;
        write_atomically(&dir.join(&file), &bytes)?;
        constants.push(ConstSpec {
            file,
            sha256: sha256_hex(&bytes),
            dtype: t.dtype().name().into(),
            shape: t.shape().to_vec(),
        });
    }
    let (mut executable, mut executable_sha256, mut platform) = (None, None, None);
    if let Some(x) = xla {
        let exe = x.compile_fresh(parts.text).map_err(ArtifactError::Call)?;
        let bytes = exe
            .serialize()
            .map_err(|e| ArtifactError::Call(e.to_string()))?;
        let file = format!("{}.pjrt", parts.name);
        write_atomically(&dir.join(&file), &bytes)?;
        executable = Some(file);
        executable_sha256 = Some(sha256_hex(&bytes));
        platform = Some(x.platform().to_string());
    }
    let laid_out = |specs: &[ArraySpec], shardings: Option<&Vec<Arc<Sharding>>>| {
        let mut specs = specs.to_vec();
        for (spec, s) in specs.iter_mut().zip(shardings.into_iter().flatten()) {
            spec.sharding = Some(s.spec());
        }
        specs
    };
    let manifest = Manifest {
        name: parts.name.to_string(),
        nest_version: crate::version::VERSION.to_string(),
        module,
        module_sha256: sha256_hex(parts.text.as_bytes()),
        inputs: laid_out(&parts.inputs, parts.layout.map(|l| &l.inputs)),
        outputs: laid_out(&parts.outputs, parts.layout.map(|l| &l.outputs)),
        mesh: parts.layout.map(|l| MeshSpec {
            shape: l.mesh.shape().to_vec(),
            axes: l.mesh.axes().to_vec(),
        }),
        constants,
        input_tree: parts.input_tree.clone(),
        output_tree: parts.output_tree.clone(),
        executable,
        executable_sha256,
        platform,
    };
    let path = dir.join(format!("{}.json", parts.name));
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| ArtifactError::Write(path.clone(), e.to_string()))?;
    write_atomically(&path, text.as_bytes())?;
    Ok(path)
}

/// A loaded artifact, ready to call on XLA.
pub struct Artifact {
    pub manifest: Manifest,
    text: String,
    constants: Vec<Tensor>,
    executable_bytes: Option<Vec<u8>>,
}

impl Artifact {
    /// Loads and checks an artifact from its manifest.
    pub fn load(manifest_path: &Path) -> Result<Artifact> {
        let dir = manifest_path.parent().unwrap_or(Path::new("."));
        let text = read_text(manifest_path)?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            ArtifactError::Manifest(manifest_path.to_path_buf(), format!("{}{}", e, RECOMPILE))
        })?;
        let mismatch = |m: String| ArtifactError::Mismatch(manifest_path.to_path_buf(), m);
        check_names(&manifest).map_err(mismatch)?;
        check_trees(&manifest).map_err(mismatch)?;
        let module = read_hashed(dir, &manifest.module, &manifest.module_sha256)?;
        let module_text = String::from_utf8(module)
            .map_err(|_| mismatch(format!("`{}` is not UTF-8 text", manifest.module)))?;
        let mut constants = vec![];
        for c in &manifest.constants {
            let bytes = read_hashed(dir, &c.file, &c.sha256)?;
            let path = dir.join(&c.file);
            let t = npy::read_npy(&bytes).map_err(|m| ArtifactError::Read(path, m))?;
            if t.dtype().name() != c.dtype || t.shape() != c.shape.as_slice() {
                return Err(mismatch(format!(
                    "`{}` is {}, the manifest says {}{:?}",
                    c.file,
                    t.ty(),
                    c.dtype,
                    c.shape
                )));
            }
            constants.push(t);
        }
        check_signature(&manifest, &module_text).map_err(mismatch)?;
        let executable_bytes = match (&manifest.executable, &manifest.executable_sha256) {
            (Some(f), Some(hash)) => Some(read_hashed(dir, f, hash)?),
            (None, None) => None,
            _ => {
                return Err(mismatch(
                    "`executable` and `executable_sha256` go together".into(),
                ))
            }
        };
        Ok(Artifact {
            manifest,
            text: module_text,
            constants,
            executable_bytes,
        })
    }

    /// Runs the artifact on `inputs` (in manifest order) and returns its outputs.
    pub fn call(&self, xla: &Xla, inputs: &[Tensor]) -> Result<Vec<Tensor>> {
        self.check_inputs(inputs)?;
        if let Some(layout) = self.layout().map_err(ArtifactError::Call)? {
            let exe = match self.deserialized(xla) {
                Some(exe) => std::sync::Arc::new(exe),
                None => xla.executable(&self.text).map_err(ArtifactError::Call)?,
            };
            let types = self.manifest.outputs.iter().map(ArraySpec::ty).collect();
            let results = xla
                .run_partitioned_on_host(&exe, &layout, inputs, &self.constants, types)
                .map_err(ArtifactError::Call)?;
            self.check_outputs(&results)?;
            return Ok(results);
        }
        let mut bufs = vec![];
        for t in inputs.iter().chain(&self.constants) {
            bufs.push(xla.upload(t).map_err(ArtifactError::Call)?);
        }
        let args: Vec<_> = bufs.iter().map(|d| d.buffer()).collect();
        // The serialized executable when it runs here; else the module, compiled.
        let outs = match self.deserialized(xla).map(|exe| exe.execute(&args)) {
            Some(Ok(outs)) => outs,
            _ => xla
                .execute(&self.text, &args)
                .map_err(ArtifactError::Call)?,
        };
        let results = outs
            .iter()
            .map(|b| {
                let (dtype, shape, bytes) = b
                    .to_host()
                    .map_err(|e| ArtifactError::Call(e.to_string()))?;
                Tensor::from_le_bytes(dtype, &shape, &bytes)
                    .ok_or_else(|| ArtifactError::Call("output of the wrong size".into()))
            })
            .collect::<Result<Vec<Tensor>>>()?;
        self.check_outputs(&results)?;
        Ok(results)
    }

    /// The layout the manifest records for a program over a mesh.
    pub fn layout(&self) -> std::result::Result<Option<Layout>, String> {
        let Some(m) = &self.manifest.mesh else {
            return Ok(None);
        };
        let mesh = Arc::new(Mesh::new(m.shape.clone(), m.axes.clone())?);
        let shardings = |specs: &[ArraySpec]| -> std::result::Result<Vec<Arc<Sharding>>, String> {
            (specs.iter())
                .map(|s| {
                    let spec = s.sharding.clone().unwrap_or_default();
                    let sharding = Sharding::new(mesh.clone(), &spec)?;
                    sharding.check(&s.shape)?;
                    Ok(Arc::new(sharding))
                })
                .collect()
        };
        Ok(Some(Layout {
            inputs: shardings(&self.manifest.inputs)?,
            outputs: shardings(&self.manifest.outputs)?,
            mesh,
        }))
    }

    /// The serialized executable, if there is one for this platform; its
    /// calls are checked against the module's signature.
    fn deserialized(&self, xla: &Xla) -> Option<Executable> {
        let same_platform = self.manifest.platform.as_deref() == Some(xla.platform());
        let bytes = self.executable_bytes.as_ref().filter(|_| same_platform)?;
        xla.deserialize(bytes, &self.text).ok()
    }

    /// The results must be what the manifest says, in number, dtype and shape.
    fn check_outputs(&self, results: &[Tensor]) -> Result<()> {
        let specs = &self.manifest.outputs;
        let agree = results.len() == specs.len()
            && results
                .iter()
                .zip(specs)
                .all(|(t, s)| t.dtype().name() == s.dtype && t.shape() == s.shape.as_slice());
        if agree {
            return Ok(());
        }
        let got: Vec<String> = results.iter().map(|t| t.ty().to_string()).collect();
        Err(ArtifactError::Call(format!(
            "`{}` returned ({}), which is not what its manifest lists",
            self.manifest.name,
            got.join(", ")
        )))
    }

    fn check_inputs(&self, inputs: &[Tensor]) -> Result<()> {
        let specs = &self.manifest.inputs;
        if inputs.len() != specs.len() {
            let listed: Vec<String> = specs
                .iter()
                .map(|s| format!("{}: {}{:?}", s.name, s.dtype, s.shape))
                .collect();
            return Err(ArtifactError::Call(format!(
                "`{}` takes {} input(s), in this order: {}; got {}",
                self.manifest.name,
                specs.len(),
                listed.join(", "),
                inputs.len()
            )));
        }
        for (t, s) in inputs.iter().zip(specs) {
            if t.dtype().name() != s.dtype || t.shape() != s.shape.as_slice() {
                let want = s.ty();
                return Err(ArtifactError::Call(format!(
                    "input `{}` must be {}, got {}",
                    s.name,
                    want,
                    t.ty()
                )));
            }
        }
        Ok(())
    }
}

/// Every file the manifest names must be a plain file name in its
/// directory, and so must every output name (`nest exec` writes
/// `OUT/NAME.npy`): no path separator, not `.` or `..`, no duplicates
/// among the outputs. Every dtype must be known.
fn check_names(m: &Manifest) -> std::result::Result<(), String> {
    let files = [Some(&m.module), m.executable.as_ref()]
        .into_iter()
        .flatten()
        .chain(m.constants.iter().map(|c| &c.file));
    for f in files {
        if !is_plain_file_name(f) {
            return Err(format!("`{f}` is not a plain file name"));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for o in &m.outputs {
        if !is_plain_file_name(&o.name) || !seen.insert(o.name.as_str()) {
            return Err(format!(
                "the output name `{}` is not a plain, distinct file name",
                o.name
            ));
        }
    }
    for spec in m.inputs.iter().chain(&m.outputs) {
        if parse_dtype(&spec.dtype).is_none() {
            return Err(format!(
                "unknown dtype `{}` for `{}`",
                spec.dtype, spec.name
            ));
        }
    }
    Ok(())
}

/// Said of a manifest that an older nest may have written.
const RECOMPILE: &str = " (a manifest of an older nest? compile it again with `nest compile`)";

/// The trees list their leaves in the order of `inputs` and `outputs`, so a
/// reader can rebuild the argument and result trees from them. (Manifests
/// of older versions listed record fields sorted by name.)
fn check_trees(m: &Manifest) -> std::result::Result<(), String> {
    let trees = [
        ("input_tree", tree_paths(&m.input_tree, None), &m.inputs),
        (
            "output_tree",
            tree_paths(&m.output_tree, Some("out")),
            &m.outputs,
        ),
    ];
    for (what, paths, specs) in trees {
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        let paths = paths.ok_or_else(|| format!("`{}` is not a tree{}", what, RECOMPILE))?;
        if paths != names {
            return Err(format!(
                "`{}` lists its leaves as {}, not in the order of the {} ({}){}",
                what,
                paths.join(", "),
                if what == "input_tree" {
                    "inputs"
                } else {
                    "outputs"
                },
                names.join(", "),
                RECOMPILE
            ));
        }
    }
    Ok(())
}

/// The leaf paths of a tree written by [`tree_json`], in order; `root`
/// prefixes them (none for the inputs, whose top record names the
/// parameters). `None` when it is not such a tree.
fn tree_paths(tree: &serde_json::Value, root: Option<&str>) -> Option<Vec<String>> {
    use serde_json::Value;
    let join = |k: &str| match root {
        Some(r) => format!("{}.{}", r, k),
        None => k.to_string(),
    };
    let mut out = vec![];
    match tree {
        Value::String(s) if s == "array" || s == "key" => out.push(root?.to_string()),
        Value::String(s) if s == "static" => {}
        Value::Object(o) if o.len() == 1 => match o.iter().next()? {
            (k, Value::Array(xs)) if k == "tuple" => {
                for (i, x) in xs.iter().enumerate() {
                    out.extend(tree_paths(x, Some(&join(&i.to_string())))?);
                }
            }
            (k, Value::Object(fs)) if k == "record" => {
                for (name, x) in fs {
                    out.extend(tree_paths(x, Some(&join(name)))?);
                }
            }
            _ => return None,
        },
        _ => return None,
    }
    Some(out)
}

fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// The module's `@main` takes the manifest's inputs, then its constants.
fn check_signature(m: &Manifest, text: &str) -> std::result::Result<(), String> {
    let params = crate::backend::pjrt::main_params(text)
        .ok_or_else(|| format!("the signature of `{}` cannot be read", m.module))?;
    let declared: Vec<(Option<DType>, &[usize])> = m
        .inputs
        .iter()
        .map(|s| (parse_dtype(&s.dtype), s.shape.as_slice()))
        .chain(
            m.constants
                .iter()
                .map(|c| (parse_dtype(&c.dtype), c.shape.as_slice())),
        )
        .collect();
    let module: Vec<(Option<DType>, &[usize])> = params
        .iter()
        .map(|(d, s)| (Some(*d), s.as_slice()))
        .collect();
    if declared != module {
        return Err(format!(
            "its inputs and constants are not the parameters of `{}`'s @main",
            m.module
        ));
    }
    Ok(())
}

/// The bytes of `dir/file`, which must hash to `sha256`.
fn read_hashed(dir: &Path, file: &str, sha256: &str) -> Result<Vec<u8>> {
    let path = dir.join(file);
    let bytes =
        std::fs::read(&path).map_err(|e| ArtifactError::Read(path.clone(), e.to_string()))?;
    if sha256_hex(&bytes) != sha256 {
        return Err(ArtifactError::Mismatch(
            path,
            "its hash (SHA-256) differs from the manifest's".into(),
        ));
    }
    Ok(bytes)
}

fn parse_dtype(name: &str) -> Option<DType> {
    DType::from_name(name).or((name == "u32").then_some(DType::U32))
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| ArtifactError::Read(path.to_path_buf(), e.to_string()))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::files::write_atomically(path, bytes)
        .map_err(|m| ArtifactError::Write(path.to_path_buf(), m))
}

/// The array specs of a tree's leaves, named by their paths from `root`.
pub fn leaf_specs(
    def: &TreeDef,
    root: &str,
    types: &mut dyn Iterator<Item = TensorType>,
) -> Vec<ArraySpec> {
    let mut out = vec![];
    walk(def, root, &mut |name, _| {
        if let Some(t) = types.next() {
            out.push(ArraySpec {
                name,
                dtype: t.dtype.name().into(),
                shape: t.shape,
                sharding: None,
            });
        }
    });
    out
}

fn walk(def: &TreeDef, path: &str, f: &mut dyn FnMut(String, &TreeDef)) {
    match def {
        TreeDef::Arr | TreeDef::Key => f(path.to_string(), def),
        TreeDef::Tuple(xs) | TreeDef::List(xs) => xs
            .iter()
            .enumerate()
            .for_each(|(i, d)| walk(d, &format!("{}.{}", path, i), f)),
        TreeDef::Record(fs) => fs
            .iter()
            .for_each(|(k, d)| walk(d, &format!("{}.{}", path, k), f)),
        TreeDef::Static(_) => {}
    }
}

/// A tree's structure as JSON: `"array"`, `"key"`, `{"tuple": [...]}`, `{"record": {...}}`.
pub fn tree_json(def: &TreeDef) -> serde_json::Value {
    use serde_json::{json, Map, Value};
    match def {
        TreeDef::Arr => json!("array"),
        TreeDef::Key => json!("key"),
        TreeDef::Tuple(xs) | TreeDef::List(xs) => {
            json!({ "tuple": xs.iter().map(tree_json).collect::<Vec<_>>() })
        }
        TreeDef::Record(fs) => {
            let m: Map<String, Value> = fs.iter().map(|(k, d)| (k.clone(), tree_json(d))).collect();
            json!({ "record": m })
        }
        TreeDef::Static(_) => json!("static"),
    }
}
