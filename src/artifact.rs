//! Reusable compiled artifacts: a function's StableHLO module, a manifest
//! describing its inputs and outputs, the constants it was traced with, and
//! optionally the serialized PJRT executable.
//!
//! `DIR/NAME.json` (the manifest) names every other file; loading checks the
//! module's hash and the constants' shapes, and a call checks its arguments
//! against the manifest before anything reaches the plugin.

use crate::backend::pjrt::Executable;
use crate::backend::xla::Xla;
use crate::eval::tree::TreeDef;
use crate::tensor::{npy, Tensor};
use crate::types::{DType, TensorType};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// One input or output array of an artifact.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ArraySpec {
    /// Its path in the argument or result tree: `x`, `p.w`, `out.1`.
    pub name: String,
    pub dtype: String,
    pub shape: Vec<usize>,
}

/// A constant passed after the inputs, stored as `.npy`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ConstSpec {
    pub file: String,
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
    /// The serialized PJRT executable, and the platform it was compiled for.
    pub executable: Option<String>,
    pub platform: Option<String>,
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
            dtype: t.dtype().name().into(),
            shape: t.shape().to_vec(),
        });
    }
    let (mut executable, mut platform) = (None, None);
    if let Some(x) = xla {
        let exe = x.executable(parts.text).map_err(ArtifactError::Call)?;
        let bytes = exe
            .serialize()
            .map_err(|e| ArtifactError::Call(e.to_string()))?;
        let file = format!("{}.pjrt", parts.name);
        write_atomically(&dir.join(&file), &bytes)?;
        executable = Some(file);
        platform = Some(x.platform().to_string());
    }
    let manifest = Manifest {
        name: parts.name.to_string(),
        nest_version: crate::VERSION.to_string(),
        module,
        module_sha256: sha256_hex(parts.text.as_bytes()),
        inputs: parts.inputs.clone(),
        outputs: parts.outputs.clone(),
        constants,
        input_tree: parts.input_tree.clone(),
        output_tree: parts.output_tree.clone(),
        executable,
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
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|e| ArtifactError::Manifest(manifest_path.to_path_buf(), e.to_string()))?;
        let mismatch = |m: String| ArtifactError::Mismatch(manifest_path.to_path_buf(), m);
        for spec in manifest.inputs.iter().chain(&manifest.outputs) {
            parse_dtype(&spec.dtype).ok_or_else(|| {
                mismatch(format!(
                    "unknown dtype `{}` for `{}`",
                    spec.dtype, spec.name
                ))
            })?;
        }
        let module_text = read_text(&dir.join(&manifest.module))?;
        if sha256_hex(module_text.as_bytes()) != manifest.module_sha256 {
            return Err(mismatch(format!(
                "the hash of `{}` differs from the manifest's",
                manifest.module
            )));
        }
        let mut constants = vec![];
        for c in &manifest.constants {
            let path = dir.join(&c.file);
            let bytes = std::fs::read(&path)
                .map_err(|e| ArtifactError::Read(path.clone(), e.to_string()))?;
            let t = npy::read_npy(&bytes).map_err(|m| ArtifactError::Read(path.clone(), m))?;
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
        let executable_bytes = match &manifest.executable {
            Some(f) => Some(
                std::fs::read(dir.join(f))
                    .map_err(|e| ArtifactError::Read(dir.join(f), e.to_string()))?,
            ),
            None => None,
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
        outs.iter()
            .map(|b| {
                let (dtype, shape, bytes) = b
                    .to_host()
                    .map_err(|e| ArtifactError::Call(e.to_string()))?;
                Tensor::from_le_bytes(dtype, &shape, &bytes)
                    .ok_or_else(|| ArtifactError::Call("output of the wrong size".into()))
            })
            .collect()
    }

    /// The serialized executable, if there is one for this platform.
    fn deserialized(&self, xla: &Xla) -> Option<Executable> {
        let same_platform = self.manifest.platform.as_deref() == Some(xla.platform());
        let bytes = self.executable_bytes.as_ref().filter(|_| same_platform)?;
        xla.deserialize(bytes).ok()
    }

    fn check_inputs(&self, inputs: &[Tensor]) -> Result<()> {
        let specs = &self.manifest.inputs;
        if inputs.len() != specs.len() {
            return Err(ArtifactError::Call(format!(
                "`{}` takes {} input(s), got {}",
                self.manifest.name,
                specs.len(),
                inputs.len()
            )));
        }
        for (t, s) in inputs.iter().zip(specs) {
            if t.dtype().name() != s.dtype || t.shape() != s.shape.as_slice() {
                let want =
                    TensorType::new(parse_dtype(&s.dtype).unwrap_or(DType::F32), s.shape.clone());
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

fn parse_dtype(name: &str) -> Option<DType> {
    DType::from_name(name).or((name == "u32").then_some(DType::U32))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{:02x}", b))
        .collect()
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
