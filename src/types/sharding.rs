//! Device meshes and shardings, modeled on `jax.sharding`: a mesh names the
//! axes of an array of devices, and a sharding says which mesh axis (if
//! any) splits each dimension of an array. The device of mesh position
//! `(i, j, ...)` is its row-major index: device ids `0..size` in order.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// The symbol a program's mesh is declared as in Shardy's form
/// (`sdy.mesh @mesh = ...`): a program runs over one mesh.
pub const MESH_SYMBOL: &str = "mesh";

/// An array of devices with named axes: `mesh([2, 2], ("data", "model"))`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mesh {
    shape: Vec<usize>,
    axes: Vec<String>,
}

impl Mesh {
    /// A mesh of `shape` devices along the named `axes` (one name per
    /// dimension, distinct, each dimension at least 1).
    pub fn new(shape: Vec<usize>, axes: Vec<String>) -> Result<Mesh, String> {
        if shape.is_empty() {
            return Err("a mesh needs at least one axis".into());
        }
        if shape.len() != axes.len() {
            return Err(format!(
                "a mesh of shape {:?} needs {} axis names, got {}",
                shape,
                shape.len(),
                axes.len()
            ));
        }
        if let Some(i) = shape.iter().position(|&n| n == 0) {
            return Err(format!("mesh axis '{}' has size 0", axes[i]));
        }
        for (i, a) in axes.iter().enumerate() {
            if a.is_empty() {
                return Err("a mesh axis name cannot be empty".into());
            }
            if axes[..i].contains(a) {
                return Err(format!("mesh axis '{a}' is named twice"));
            }
        }
        Ok(Mesh { shape, axes })
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub fn axes(&self) -> &[String] {
        &self.axes
    }

    /// The number of devices.
    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }

    /// The index of the axis named `name`.
    pub fn axis(&self, name: &str) -> Option<usize> {
        self.axes.iter().position(|a| a == name)
    }

    /// The mesh position of device `device`.
    fn coords(&self, device: usize) -> Vec<usize> {
        let mut coords = vec![0; self.shape.len()];
        let mut rest = device;
        for (c, &n) in coords.iter_mut().zip(&self.shape).rev() {
            *c = rest % n;
            rest /= n;
        }
        coords
    }
}

impl Mesh {
    /// Shardy's declaration of the mesh as the symbol `@name`:
    /// `sdy.mesh @mesh = <["data"=4, "model"=2]>`.
    pub fn sdy_declaration(&self, name: &str) -> String {
        let axes: Vec<String> = (self.axes.iter().zip(&self.shape))
            .map(|(a, n)| format!("\"{a}\"={n}"))
            .collect();
        format!("sdy.mesh @{name} = <[{}]>", axes.join(", "))
    }
}

/// The mesh of a program whose values or constraints lie on `a` and on
/// `b`: a program runs over one mesh, so they must be equal (the same axes
/// and sizes). One-device meshes take no part: nothing is partitioned over
/// them.
pub fn common_mesh(
    a: Option<Arc<Mesh>>,
    b: Option<Arc<Mesh>>,
) -> Result<Option<Arc<Mesh>>, String> {
    let a = a.filter(|m| m.size() > 1);
    let b = b.filter(|m| m.size() > 1);
    match (a, b) {
        (Some(a), Some(b)) if a != b => Err(format!(
            "values on a {a} and on a {b} meet in one program, which runs over one mesh: `shard` them onto one"
        )),
        (Some(a), _) => Ok(Some(a)),
        (None, b) => Ok(b),
    }
}

impl fmt::Display for Mesh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let axes: Vec<String> = (self.axes.iter().zip(&self.shape))
            .map(|(a, n)| format!("{a}: {n}"))
            .collect();
        write!(f, "mesh({})", axes.join(", "))
    }
}

/// How an array is laid out over a mesh: for each leading dimension, the
/// mesh axis that splits it or `None` (replicated along it); dimensions
/// past the spec are replicated, as in a `jax.sharding.PartitionSpec`.
/// Mesh axes no dimension uses hold copies.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sharding {
    pub mesh: Arc<Mesh>,
    /// Mesh axis indices, one per leading dimension.
    spec: Vec<Option<usize>>,
}

impl Sharding {
    /// The sharding of `spec` (axis names or `None`) on `mesh`: each name
    /// must be an axis of the mesh, used once.
    pub fn new(mesh: Arc<Mesh>, spec: &[Option<String>]) -> Result<Sharding, String> {
        let mut axes = vec![];
        for name in spec {
            let Some(name) = name else {
                axes.push(None);
                continue;
            };
            let axis = mesh.axis(name).ok_or_else(|| {
                format!(
                    "'{name}' is not an axis of the {mesh} (its axes: {})",
                    mesh.axes.join(", ")
                )
            })?;
            if axes.contains(&Some(axis)) {
                return Err(format!("mesh axis '{name}' splits two dimensions"));
            }
            axes.push(Some(axis));
        }
        Ok(Sharding { mesh, spec: axes })
    }

    /// Every device holds the whole array.
    pub fn replicated(mesh: Arc<Mesh>) -> Sharding {
        Sharding { mesh, spec: vec![] }
    }

    /// Whether every device holds the whole array.
    pub fn is_replicated(&self) -> bool {
        self.spec.iter().all(Option::is_none)
    }

    /// The spec as axis names (`None` for a replicated dimension).
    pub fn spec(&self) -> Vec<Option<String>> {
        (self.spec.iter())
            .map(|a| a.map(|a| self.mesh.axes[a].clone()))
            .collect()
    }

    /// The same sharding with a replicated dimension inserted at `dim` (a
    /// batch axis added by `vmap`). `dim` may be past the spec.
    pub fn with_replicated_dim(&self, dim: usize) -> Sharding {
        let mut spec = self.spec.clone();
        if dim < spec.len() {
            spec.insert(dim, None);
        }
        Sharding {
            mesh: self.mesh.clone(),
            spec,
        }
    }

    /// The number of pieces each of `rank` dimensions is cut into.
    fn tiles(&self, rank: usize) -> Vec<usize> {
        (0..rank)
            .map(|d| match self.spec.get(d) {
                Some(Some(a)) => self.mesh.shape[*a],
                _ => 1,
            })
            .collect()
    }

    /// Checks that the sharding fits an array of `shape`: no longer spec
    /// than its rank, and each split dimension divides evenly.
    pub fn check(&self, shape: &[usize]) -> Result<(), String> {
        if self.spec.len() > shape.len() {
            return Err(format!(
                "a sharding of {} dimensions does not fit an array of rank {} (shape {:?})",
                self.spec.len(),
                shape.len(),
                shape
            ));
        }
        for (d, (&n, t)) in shape.iter().zip(self.tiles(shape.len())).enumerate() {
            if n % t != 0 {
                let axis = &self.mesh.axes[self.spec[d].unwrap_or_default()];
                return Err(format!(
                    "dimension {d} of size {n} does not split evenly over mesh axis '{axis}' of size {t}"
                ));
            }
        }
        Ok(())
    }

    /// The shape of one device's piece of an array of `shape`.
    pub fn local_shape(&self, shape: &[usize]) -> Vec<usize> {
        (shape.iter().zip(self.tiles(shape.len())))
            .map(|(&n, t)| n / t)
            .collect()
    }

    /// The index ranges of device `device`'s piece of an array of `shape`.
    pub fn piece(&self, device: usize, shape: &[usize]) -> Vec<Range<usize>> {
        let coords = self.mesh.coords(device);
        let local = self.local_shape(shape);
        (0..shape.len())
            .map(|d| match self.spec.get(d) {
                Some(Some(a)) => coords[*a] * local[d]..(coords[*a] + 1) * local[d],
                _ => 0..shape[d],
            })
            .collect()
    }

    /// The devices that hold distinct pieces, one per piece: the first of
    /// each group of copies (reading these is enough to rebuild the array).
    pub fn distinct_devices(&self) -> Vec<usize> {
        (0..self.mesh.size())
            .filter(|&dev| {
                let coords = self.mesh.coords(dev);
                (0..coords.len()).all(|a| self.spec.contains(&Some(a)) || coords[a] == 0)
            })
            .collect()
    }

    /// Shardy's form for an array of rank `rank` on the mesh declared as
    /// `@mesh`: one list of mesh axes per dimension, `[{"data"}, {}]`
    /// (closed: the dimension is split over exactly those axes).
    pub fn sdy(&self, mesh: &str, rank: usize) -> String {
        let dims: Vec<String> = (0..rank)
            .map(|d| match self.spec.get(d) {
                Some(Some(a)) => format!("{{\"{}\"}}", self.mesh.axes[*a]),
                _ => "{}".to_string(),
            })
            .collect();
        format!("<@{mesh}, [{}]>", dims.join(", "))
    }
}

impl fmt::Display for Sharding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let spec: Vec<String> = (self.spec().into_iter())
            .map(|a| a.map_or("none".to_string(), |a| format!("\"{a}\"")))
            .collect();
        // A one-entry spec is a 1-tuple, as written: `("data",)`.
        let comma = if spec.len() == 1 { "," } else { "" };
        write!(f, "({}{comma}) on {}", spec.join(", "), self.mesh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mesh(shape: &[usize], axes: &[&str]) -> Arc<Mesh> {
        Arc::new(Mesh::new(shape.to_vec(), axes.iter().map(|a| a.to_string()).collect()).unwrap())
    }

    fn spec(names: &[Option<&str>]) -> Vec<Option<String>> {
        names.iter().map(|n| n.map(str::to_string)).collect()
    }

    #[test]
    fn shardy_text_as_jax_writes_it() {
        let m = mesh(&[2, 2], &["data", "model"]);
        assert_eq!(
            m.sdy_declaration("mesh"),
            "sdy.mesh @mesh = <[\"data\"=2, \"model\"=2]>"
        );
        let s = Sharding::new(m.clone(), &spec(&[Some("model"), None])).unwrap();
        assert_eq!(s.sdy("mesh", 3), "<@mesh, [{\"model\"}, {}, {}]>");
        assert_eq!(Sharding::replicated(m).sdy("mesh", 0), "<@mesh, []>");
    }

    #[test]
    fn pieces_cover_the_array() {
        let m = mesh(&[2, 2], &["data", "model"]);
        let s = Sharding::new(m, &spec(&[Some("model"), Some("data")])).unwrap();
        // Device 1 is mesh position (data 0, model 1).
        assert_eq!(s.piece(1, &[4, 6]), vec![2..4, 0..3]);
        assert_eq!(s.local_shape(&[4, 6]), vec![2, 3]);
        assert_eq!(s.distinct_devices(), vec![0, 1, 2, 3]);
        let s = Sharding::new(s.mesh.clone(), &spec(&[Some("data")])).unwrap();
        assert_eq!(s.distinct_devices(), vec![0, 2]);
        assert_eq!(s.piece(3, &[4, 6]), vec![2..4, 0..6]);
    }

    #[test]
    fn bad_specs_are_errors() {
        let m = mesh(&[4], &["data"]);
        assert!(Sharding::new(m.clone(), &spec(&[Some("model")])).is_err());
        assert!(Sharding::new(m.clone(), &spec(&[Some("data"), Some("data")])).is_err());
        let s = Sharding::new(m, &spec(&[Some("data")])).unwrap();
        assert!(s
            .check(&[6, 2])
            .unwrap_err()
            .contains("does not split evenly"));
        assert!(s.check(&[]).is_err());
        assert!(Mesh::new(vec![2], vec![]).is_err());
        assert!(Mesh::new(vec![2, 2], vec!["a".into(), "a".into()]).is_err());
    }
}
