//! A thin, safe layer over the PJRT C API of an XLA plugin, loaded with
//! `libloading`. The only unsafe code of the project lives here.
//!
//! [`Plugin::load`] opens a plugin (`xla_cpu_pjrt.so`, ...), [`Client::new`]
//! creates a client on its first addressable device, [`Client::compile`]
//! turns StableHLO text into an [`Executable`], and [`Buffer`]s carry arrays
//! to and from the device.
//!
//! Lifetimes: buffers and executables keep their client alive (an `Arc`),
//! and a loaded plugin stays mapped until the process ends, since XLA does
//! not support unloading. Every type here is `Send + Sync`: PJRT clients,
//! executables and buffers are thread-safe objects.

mod buffer;
mod executable;
mod ffi;
mod options;
mod signature;

pub use buffer::Buffer;
pub use executable::Executable;
pub use signature::main_params;

use ffi::Call;
use std::ffi::c_char;
use std::path::{Path, PathBuf};
use std::ptr;
use std::sync::{Arc, Mutex};

/// The PJRT C API major version nest speaks.
pub const API_MAJOR: i32 = 0;
/// The oldest minor version whose function table and argument structs agree
/// with the declarations in `ffi.rs` (checked against the 0.60 header; the
/// declarations themselves are those of 0.81, a superset).
pub const API_MIN_MINOR: i32 = 60;

/// What can go wrong between nest and a PJRT plugin.
#[derive(Debug, thiserror::Error)]
pub enum PjrtError {
    /// The file is not a loadable shared library exporting `GetPjrtApi`,
    /// e.g. `NEST_PJRT_PLUGIN=/etc/passwd`.
    #[error("cannot load the PJRT plugin `{}`: {message}", path.display())]
    Load { path: PathBuf, message: String },
    /// The plugin speaks a PJRT C API version nest was not written for.
    #[error(
        "the PJRT plugin `{}` speaks PJRT C API {major}.{minor}; nest needs {API_MAJOR}.{API_MIN_MINOR} or a later {API_MAJOR}.x",
        path.display()
    )]
    Version {
        path: PathBuf,
        major: i32,
        minor: i32,
    },
    /// The plugin's function table has no entry for a function nest calls.
    #[error("the PJRT plugin does not provide {call}")]
    Missing { call: &'static str },
    /// A call into the plugin failed; `message` is the plugin's own text,
    /// e.g. compiling `module { bad }`.
    #[error("{call} failed ({}): {message}", code_name(*code))]
    Call {
        call: &'static str,
        code: i32,
        message: String,
    },
    /// nest rejected the arguments before calling the plugin, e.g. 3 bytes
    /// for an `f32[2]` buffer, or two arguments for a one-parameter module.
    #[error("{call}: {message}")]
    Invalid { call: &'static str, message: String },
}

impl PjrtError {
    /// Whether the plugin reported that it does not implement the call.
    pub fn is_unimplemented(&self) -> bool {
        matches!(self, PjrtError::Call { code: 12, .. })
    }

    fn invalid(call: &'static str, message: impl Into<String>) -> PjrtError {
        PjrtError::Invalid {
            call,
            message: message.into(),
        }
    }
}

/// The names of `PJRT_Error_Code` (the absl status codes).
fn code_name(code: i32) -> &'static str {
    const NAMES: [&str; 17] = [
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    ];
    usize::try_from(code)
        .ok()
        .and_then(|i| NAMES.get(i).copied())
        .unwrap_or("UNKNOWN")
}

pub type Result<T, E = PjrtError> = std::result::Result<T, E>;

/// A plugin's function table. The library it lives in is never unloaded,
/// so the table is `'static`.
#[derive(Clone, Copy)]
struct Api(&'static ffi::PJRT_Api);

// SAFETY: the table is immutable after `GetPjrtApi` returns, and the PJRT C
// API functions may be called from any thread.
unsafe impl Send for Api {}
// SAFETY: as above.
unsafe impl Sync for Api {}

impl Api {
    /// Calls one entry of the table and turns a returned `PJRT_Error` into
    /// a [`PjrtError`], freeing it.
    ///
    /// # Safety
    /// Every pointer in `args` must be valid for `f` as the C API documents.
    unsafe fn call<A>(self, name: &'static str, f: Call<A>, args: &mut A) -> Result<()> {
        let f = f.ok_or(PjrtError::Missing { call: name })?;
        // SAFETY: `f` comes from the plugin's table with the argument type
        // the header gives it; the caller vouches for the pointers in `args`.
        let error = unsafe { f(args) };
        self.take_error(name, error)
    }

    /// `Ok` for a null error; otherwise its message and code, then frees it.
    fn take_error(self, call: &'static str, error: *mut ffi::PJRT_Error) -> Result<()> {
        if error.is_null() {
            return Ok(());
        }
        let message = self.error_message(error);
        let code = self.error_code(error);
        self.destroy_error(error);
        Err(PjrtError::Call {
            call,
            code,
            message,
        })
    }

    /// The error's `PJRT_Error_Code`; `UNKNOWN` if the plugin cannot say.
    /// (Not through [`Api::call`]: a failing `GetCode` must not recurse.)
    fn error_code(self, error: *mut ffi::PJRT_Error) -> i32 {
        const UNKNOWN: i32 = 2;
        let Some(f) = self.0.PJRT_Error_GetCode else {
            return UNKNOWN;
        };
        let mut args = ffi::PJRT_Error_GetCode_Args::new();
        args.error = error;
        // SAFETY: `error` is a live error returned by the plugin.
        let failed = unsafe { f(&mut args) };
        if failed.is_null() {
            args.code
        } else {
            self.destroy_error(failed);
            UNKNOWN
        }
    }

    fn destroy_error(self, error: *mut ffi::PJRT_Error) {
        let mut args = ffi::PJRT_Error_Destroy_Args::new();
        args.error = error;
        if let Some(f) = self.0.PJRT_Error_Destroy {
            // SAFETY: `error` is live; each caller destroys it exactly once.
            unsafe { f(&mut args) };
        }
    }

    fn error_message(self, error: *mut ffi::PJRT_Error) -> String {
        let Some(f) = self.0.PJRT_Error_Message else {
            return "(the plugin gives no error messages)".into();
        };
        let mut args = ffi::PJRT_Error_Message_Args::new();
        args.error = error;
        // SAFETY: `error` is a live error returned by the plugin.
        unsafe { f(&mut args) };
        // SAFETY: the message lives as long as `error`, which is still live.
        unsafe { lossy_string(args.message, args.message_size) }
    }

    /// Waits for `event` (if any), then destroys it; `call` names the
    /// operation the event belongs to.
    fn await_event(self, call: &'static str, event: *mut ffi::PJRT_Event) -> Result<()> {
        if event.is_null() {
            return Ok(());
        }
        let mut wait = ffi::PJRT_Event_Await_Args::new();
        wait.event = event;
        // SAFETY: `event` is a live event the plugin returned to us.
        let result = unsafe { self.call(call, self.0.PJRT_Event_Await, &mut wait) };
        let mut destroy = ffi::PJRT_Event_Destroy_Args::new();
        destroy.event = event;
        // SAFETY: `event` is live and destroyed exactly once, here.
        let destroyed = unsafe {
            self.call(
                "PJRT_Event_Destroy",
                self.0.PJRT_Event_Destroy,
                &mut destroy,
            )
        };
        result.and(destroyed)
    }
}

/// Copies a `(pointer, length)` string from the plugin; invalid UTF-8 is
/// replaced, a null pointer gives an empty string.
///
/// # Safety
/// A non-null `ptr` must point to `len` readable bytes.
unsafe fn lossy_string(ptr: *const c_char, len: usize) -> String {
    if ptr.is_null() || len == 0 {
        return String::new();
    }
    // SAFETY: non-null and `len` readable bytes, by the caller's promise.
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    String::from_utf8_lossy(bytes).into_owned()
}

/// A loaded PJRT plugin. Cheap to clone.
#[derive(Clone)]
pub struct Plugin {
    api: Api,
    path: PathBuf,
}

/// The tables already passed to `PJRT_Plugin_Initialize` (by address):
/// loading the same file twice must not initialize it twice.
static INITIALIZED: Mutex<Vec<usize>> = Mutex::new(Vec::new());

impl Plugin {
    /// Opens the plugin at `path`, checks its C API version and initializes
    /// it (once per process).
    pub fn load(path: &Path) -> Result<Plugin> {
        let api = open(path)?;
        let (major, minor) = version_of(api);
        if major != API_MAJOR || minor < API_MIN_MINOR || api.0.struct_size < ffi::API_SIZE_NEEDED {
            return Err(PjrtError::Version {
                path: path.to_path_buf(),
                major,
                minor,
            });
        }
        let mut done = INITIALIZED.lock().unwrap_or_else(|e| e.into_inner());
        let key = api.0 as *const ffi::PJRT_Api as usize;
        if !done.contains(&key) {
            let mut args = ffi::PJRT_Plugin_Initialize_Args::new();
            // SAFETY: the args hold no pointers.
            unsafe {
                api.call(
                    "PJRT_Plugin_Initialize",
                    api.0.PJRT_Plugin_Initialize,
                    &mut args,
                )
            }?;
            done.push(key);
        }
        Ok(Plugin {
            api,
            path: path.to_path_buf(),
        })
    }

    /// The `(major, minor)` PJRT C API version of the plugin at `path`,
    /// without initializing it.
    pub fn api_version_of(path: &Path) -> Result<(i32, i32)> {
        open(path).map(version_of)
    }

    /// The `(major, minor)` PJRT C API version this plugin speaks.
    pub fn api_version(&self) -> (i32, i32) {
        version_of(self.api)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn version_of(api: Api) -> (i32, i32) {
    let v = &api.0.pjrt_api_version;
    (v.major_version, v.minor_version)
}

/// Loads the shared library at `path` with its symbols global (as
/// `RTLD_GLOBAL`), so that a plugin's later `dlopen` of the same soname
/// finds this copy; never unloaded. Used for the CUDA libraries a GPU
/// plugin opens by name at run time.
pub fn preload(path: &Path) -> std::result::Result<(), String> {
    use libloading::os::unix::{Library, RTLD_GLOBAL, RTLD_NOW};
    // SAFETY: opening a library runs its initializers; the NVIDIA runtime
    // libraries' have no preconditions (they are what `import jax` loads).
    let lib =
        unsafe { Library::open(Some(path), RTLD_NOW | RTLD_GLOBAL) }.map_err(|e| e.to_string())?;
    std::mem::forget(lib);
    Ok(())
}

/// Opens the library and asks it for its table. The library is leaked on
/// purpose: XLA's threads and static state do not survive `dlclose`.
fn open(path: &Path) -> Result<Api> {
    let load_error = |message: String| PjrtError::Load {
        path: path.to_path_buf(),
        message,
    };
    // SAFETY: opening a library runs its initializers; a PJRT plugin's are
    // XLA's own static registrations, which have no preconditions.
    let lib = unsafe { libloading::Library::new(path) }.map_err(|e| load_error(e.to_string()))?;
    // SAFETY: `GetPjrtApi` has this signature in every PJRT plugin.
    let get = unsafe { lib.get::<ffi::GetPjrtApi>(b"GetPjrtApi\0") }
        .map(|symbol| *symbol)
        .map_err(|e| load_error(e.to_string()))?;
    std::mem::forget(lib);
    // SAFETY: `get` is the plugin's `GetPjrtApi`, which takes no arguments.
    let table = unsafe { get() };
    // SAFETY: a non-null table returned by `GetPjrtApi` is static data of
    // the library, which stays loaded for the rest of the process.
    let table =
        unsafe { table.as_ref() }.ok_or_else(|| load_error("GetPjrtApi returned null".into()))?;
    if table.struct_size < std::mem::offset_of!(ffi::PJRT_Api, PJRT_Error_Destroy) {
        return Err(load_error(format!(
            "its PJRT_Api table is too short ({} bytes)",
            table.struct_size
        )));
    }
    Ok(Api(table))
}

/// A PJRT client bound to the first addressable device of its plugin.
/// Cheap to clone; the client is destroyed when the last clone, buffer and
/// executable are gone.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    api: Api,
    raw: *mut ffi::PJRT_Client,
    /// The first addressable device: where one-device programs and arrays go.
    device: *mut ffi::PJRT_Device,
    /// Every addressable device, in the plugin's order (partition `i` of a
    /// partitioned program runs on `devices[i]`).
    devices: Vec<*mut ffi::PJRT_Device>,
    platform: String,
    /// The option overrides of every compilation (see `options.rs`).
    overrides: Vec<(&'static str, options::Override)>,
    /// The serialized `CompileOptionsProto` of every one-device compilation.
    compile_options: Vec<u8>,
}

// SAFETY: a PJRT client is thread-safe (the C API is used from many threads
// by JAX); the device pointer is owned by the client and never written.
unsafe impl Send for ClientInner {}
// SAFETY: as above.
unsafe impl Sync for ClientInner {}

impl Drop for ClientInner {
    fn drop(&mut self) {
        let mut args = ffi::PJRT_Client_Destroy_Args::new();
        args.client = self.raw;
        // SAFETY: `raw` is live and destroyed exactly once; every buffer and
        // executable holds an `Arc` to this client, so none outlives it.
        let _ = unsafe {
            self.api.call(
                "PJRT_Client_Destroy",
                self.api.0.PJRT_Client_Destroy,
                &mut args,
            )
        };
    }
}

/// The value of a client-creation option.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionValue {
    Str(String),
    Int(i64),
    Float(f32),
    Bool(bool),
}

/// A client-creation option, e.g. the GPU plugin's `("memory_fraction",
/// Float(0.5))`. A plugin refuses options it does not know.
pub type CreateOption = (&'static str, OptionValue);

/// `options` as the C API's named values, borrowing their names and strings.
fn named_values(options: &[CreateOption]) -> Vec<ffi::PJRT_NamedValue> {
    options
        .iter()
        .map(|(name, value)| {
            let (type_, value, value_size) = match value {
                OptionValue::Str(s) => (
                    ffi::PJRT_NamedValue_kString,
                    ffi::PJRT_NamedValue_Value {
                        string_value: s.as_ptr().cast::<c_char>(),
                    },
                    s.len(),
                ),
                OptionValue::Int(n) => (
                    ffi::PJRT_NamedValue_kInt64,
                    ffi::PJRT_NamedValue_Value { int64_value: *n },
                    1,
                ),
                OptionValue::Float(x) => (
                    ffi::PJRT_NamedValue_kFloat,
                    ffi::PJRT_NamedValue_Value { float_value: *x },
                    1,
                ),
                OptionValue::Bool(b) => (
                    ffi::PJRT_NamedValue_kBool,
                    ffi::PJRT_NamedValue_Value { bool_value: *b },
                    1,
                ),
            };
            ffi::PJRT_NamedValue {
                struct_size: std::mem::size_of::<ffi::PJRT_NamedValue>(),
                extension_start: ptr::null_mut(),
                name: name.as_ptr().cast::<c_char>(),
                name_size: name.len(),
                type_,
                value,
                value_size,
            }
        })
        .collect()
}

impl Client {
    /// Creates a client with the plugin's default options.
    pub fn new(plugin: &Plugin) -> Result<Client> {
        Client::with_options(plugin, &[])
    }

    /// Creates a client with `options` (`PJRT_Client_Create`'s named values).
    pub fn with_options(plugin: &Plugin, options: &[CreateOption]) -> Result<Client> {
        let api = plugin.api;
        let named = named_values(options);
        let mut args = ffi::PJRT_Client_Create_Args::new();
        if !named.is_empty() {
            args.create_options = named.as_ptr().cast::<std::ffi::c_void>();
            args.num_options = named.len();
        }
        // SAFETY: the options (and the names and strings they point into)
        // are borrowed for the call, which copies what it keeps; no
        // key-value callbacks: those pointers are null.
        unsafe { api.call("PJRT_Client_Create", api.0.PJRT_Client_Create, &mut args) }?;
        let mut inner = ClientInner {
            api,
            raw: args.client,
            device: ptr::null_mut(),
            devices: vec![],
            platform: String::new(),
            overrides: vec![],
            compile_options: vec![],
        };
        if inner.raw.is_null() {
            return Err(PjrtError::invalid(
                "PJRT_Client_Create",
                "the plugin returned no client",
            ));
        }
        inner.devices = addressable_devices(&inner)?;
        inner.device = inner.devices[0];
        inner.platform = platform_name(&inner)?;
        let flags = std::env::var("XLA_FLAGS").ok();
        inner.overrides = options::overrides(&inner.platform, flags.as_deref());
        inner.compile_options = options::serialize(&inner.overrides);
        Ok(Client {
            inner: Arc::new(inner),
        })
    }

    /// The platform the plugin reports: `cpu`, `cuda`, `tpu`, ...
    pub fn platform_name(&self) -> &str {
        &self.inner.platform
    }

    /// The serialized `xla.CompileOptionsProto` every compilation gets
    /// (see `options.rs`): part of what an executable depends on.
    pub fn compile_options(&self) -> &[u8] {
        &self.inner.compile_options
    }

    /// The number of addressable devices.
    pub fn num_devices(&self) -> usize {
        self.inner.devices.len()
    }

    /// Compiles a StableHLO module given as MLIR text (what
    /// `jax.jit(f).lower(...).as_text()` prints) for one device.
    /// A module that declares `mhlo.num_partitions` is compiled as
    /// [`Client::compile_partitioned`] does.
    pub fn compile(&self, mlir_text: &str) -> Result<Executable> {
        match signature::num_partitions(mlir_text) {
            1 => self.compile_with(mlir_text, &self.inner.compile_options, 1),
            n => self.compile_partitioned(mlir_text, n),
        }
    }

    /// Compiles a module whose arguments and results carry `mhlo.sharding`
    /// annotations into one program over the first `partitions` devices
    /// (XLA's SPMD partitioner); [`Executable::execute_partitioned`] runs it.
    pub fn compile_partitioned(&self, mlir_text: &str, partitions: usize) -> Result<Executable> {
        if partitions > self.num_devices() {
            return Err(PjrtError::invalid(
                "PJRT_Client_Compile",
                format!(
                    "a program over {partitions} devices, but the plugin has {}",
                    self.num_devices()
                ),
            ));
        }
        let options = options::serialize_partitioned(&self.inner.overrides, partitions);
        self.compile_with(mlir_text, &options, partitions)
    }

    fn compile_with(
        &self,
        mlir_text: &str,
        compile_options: &[u8],
        partitions: usize,
    ) -> Result<Executable> {
        let c = &self.inner;
        let format = "mlir";
        let mut program = ffi::PJRT_Program::new();
        // The plugin only reads `code` when compiling.
        program.code = mlir_text.as_ptr().cast::<c_char>().cast_mut();
        program.code_size = mlir_text.len();
        program.format = format.as_ptr().cast::<c_char>();
        program.format_size = format.len();
        let mut args = ffi::PJRT_Client_Compile_Args::new();
        args.client = c.raw;
        args.program = &program;
        args.compile_options = compile_options.as_ptr().cast::<c_char>();
        args.compile_options_size = compile_options.len();
        // SAFETY: the client is live; program text, format and options are
        // borrowed for the duration of the call, which is all the API needs.
        unsafe {
            c.api.call(
                "PJRT_Client_Compile",
                c.api.0.PJRT_Client_Compile,
                &mut args,
            )
        }?;
        let params = signature::main_params(mlir_text);
        Executable::new(self.inner.clone(), args.executable, params, partitions)
    }

    /// Loads an executable produced by [`Executable::serialize`] with the
    /// same plugin version from `mlir_text`, the module it was compiled
    /// from: its `@main` signature is what [`Executable::execute`] checks
    /// arguments against, as for a compiled one (the serialization does not
    /// say). A module whose signature nest cannot read is refused.
    pub fn deserialize_executable(&self, bytes: &[u8], mlir_text: &str) -> Result<Executable> {
        const CALL: &str = "PJRT_Executable_DeserializeAndLoad";
        let params = signature::main_params(mlir_text).ok_or_else(|| {
            PjrtError::invalid(CALL, "the module's @main signature cannot be read")
        })?;
        let c = &self.inner;
        let mut args = ffi::PJRT_Executable_DeserializeAndLoad_Args::new();
        args.client = c.raw;
        args.serialized_executable = bytes.as_ptr().cast::<c_char>();
        args.serialized_executable_size = bytes.len();
        // SAFETY: the client is live and `bytes` is borrowed for the call.
        unsafe {
            c.api.call(
                "PJRT_Executable_DeserializeAndLoad",
                c.api.0.PJRT_Executable_DeserializeAndLoad,
                &mut args,
            )
        }?;
        let partitions = signature::num_partitions(mlir_text);
        Executable::new(
            self.inner.clone(),
            args.loaded_executable,
            Some(params),
            partitions,
        )
    }
}

fn addressable_devices(c: &ClientInner) -> Result<Vec<*mut ffi::PJRT_Device>> {
    let call = "PJRT_Client_AddressableDevices";
    let mut args = ffi::PJRT_Client_AddressableDevices_Args::new();
    args.client = c.raw;
    // SAFETY: the client is live.
    unsafe {
        c.api
            .call(call, c.api.0.PJRT_Client_AddressableDevices, &mut args)
    }?;
    if args.addressable_devices.is_null() || args.num_addressable_devices == 0 {
        return Err(PjrtError::invalid(
            call,
            "the plugin has no addressable device",
        ));
    }
    // SAFETY: the list has `num_addressable_devices` > 0 entries and lives
    // as long as the client.
    let devices = unsafe {
        std::slice::from_raw_parts(args.addressable_devices, args.num_addressable_devices)
    }
    .to_vec();
    if devices.iter().any(|d| d.is_null()) {
        return Err(PjrtError::invalid(
            call,
            "the plugin returned a null device",
        ));
    }
    Ok(devices)
}

fn platform_name(c: &ClientInner) -> Result<String> {
    let mut args = ffi::PJRT_Client_PlatformName_Args::new();
    args.client = c.raw;
    // SAFETY: the client is live.
    unsafe {
        c.api.call(
            "PJRT_Client_PlatformName",
            c.api.0.PJRT_Client_PlatformName,
            &mut args,
        )
    }?;
    // SAFETY: the name is owned by the client, which is live.
    Ok(unsafe { lossy_string(args.platform_name, args.platform_name_size) })
}

/// The element count of `shape` times the size of `dtype`, or `None` on
/// overflow.
fn byte_len(elem_size: usize, shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(elem_size, |n, &d| n.checked_mul(d))
}

/// `shape` as the `int64_t` dimensions the C API takes.
fn dims_i64(call: &'static str, shape: &[usize]) -> Result<Vec<i64>> {
    shape
        .iter()
        .map(|&d| {
            i64::try_from(d)
                .map_err(|_| PjrtError::invalid(call, format!("dimension {d} is too large")))
        })
        .collect()
}
